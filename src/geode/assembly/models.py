"""Every domain's models, so `Base.metadata` knows all tables (for Alembic)."""

from __future__ import annotations

from sqlalchemy import MetaData

from geode.batches import models as _batches  # noqa: F401
from geode.catalogue import models as _catalogue  # noqa: F401
from geode.customers import models as _customers  # noqa: F401
from geode.db.base import Base
from geode.events import models as _events  # noqa: F401
from geode.loyalty import models as _loyalty  # noqa: F401
from geode.massops import models as _massops  # noqa: F401
from geode.orders import models as _orders  # noqa: F401
from geode.tenants import models as _tenants  # noqa: F401

metadata: MetaData = Base.metadata
