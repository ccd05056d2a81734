"""Component content as Crystallize's Catalogue API shows it, made from the stored
content: one typed content per component type (`content_types`).

Content is stored in its input form (`catalogue.components.content`), names
its component by id, and says nothing of it; the shape's definitions (or the
piece's, a chunk's, a choice's) give each component its name and type, and
list them in their order. A component without content has `content: null`;
content whose component left the shape is not shown. Numbers leave the store
as Decimals and are sent as Floats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import strawberry

from geode.api.graphql.catalogue.content_types import (
    BooleanContent,
    Color,
    ColorsContent,
    Component,
    ComponentChoiceContent,
    ComponentMultipleChoiceContent,
    ContentChunkContent,
    DatetimeContent,
    File,
    FileContent,
    Grid,
    GridRelationsContent,
    Image,
    ImageContent,
    ItemRelationsContent,
    LocationContent,
    NumericContent,
    ParagraphCollectionContent,
    ParagraphContent,
    PieceContent,
    PropertiesTableContent,
    PropertiesTableProperty,
    PropertiesTableSection,
    RichTextContent,
    SelectionComponentOptionValue,
    SelectionContent,
    SingleLineContent,
    Video,
    VideoContent,
)
from geode.catalogue.storefront import Page
from geode.media.service import media_url

Definition = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ContentReader:
    """Turns one page's stored content into the types above."""

    page: Page
    public_url: str

    def components(
        self, stored: list[dict[str, Any]], definitions: list[Definition] | None
    ) -> list[Component]:
        """One per definition, in their order; without definitions (a shape removed
        from under its items), one per stored content, named by its id."""
        by_id = {entry.get("componentId"): entry for entry in stored if isinstance(entry, dict)}
        if definitions is None:
            definitions = [
                {"id": key, "name": key, "type": _type_of(entry)}
                for key, entry in by_id.items()
                if isinstance(key, str)
            ]
        return [self.component(d, by_id.get(d.get("id"))) for d in definitions]

    def component(self, definition: Definition, entry: dict[str, Any] | None) -> Component:
        component_id = str(definition.get("id", ""))
        kind = str(definition.get("type", ""))
        value = None if entry is None else entry.get(kind)
        build = _BUILDERS.get(kind)
        content = None if value is None or build is None else build(self, value, definition)
        return Component(
            id=component_id,
            name=str(definition.get("name") or component_id),
            type=kind,
            content=content,
        )

    def nested(self, entry: Any, choices: list[Definition]) -> Component | None:
        """A choice's or a chunk's content, by the definition it names."""
        if not isinstance(entry, dict):
            return None
        definition = next((d for d in choices if d.get("id") == entry.get("componentId")), None)
        return None if definition is None else self.component(definition, entry)

    def url(self, key: str) -> str:
        if key.startswith(("https://", "http://")):
            return key  # registered from an outside media store as its URL
        return media_url(self.public_url, key)

    def image(self, value: Any) -> Image | None:
        if not isinstance(value, dict) or not value.get("key"):
            return None
        key = str(value["key"])
        caption = value.get("caption")
        return Image(
            key=key,
            url=self.url(key),
            altText=_text(value.get("altText")),
            caption=rich_text(caption) if isinstance(caption, dict) else None,
        )

    def images(self, value: Any) -> list[Image]:
        return [image for entry in _list(value) if (image := self.image(entry)) is not None]

    def videos(self, value: Any) -> list[Video]:
        return [
            Video(
                id=str(entry["key"]),
                key=str(entry["key"]),
                title=_text(entry.get("title")),
                thumbnails=self.images(entry.get("thumbnails")),
            )
            for entry in _list(value)
            if isinstance(entry, dict) and entry.get("key")
        ]


def _config(definition: Definition) -> dict[str, Any]:
    config = definition.get("config")
    found = config.get(definition.get("type")) if isinstance(config, dict) else None
    return found if isinstance(found, dict) else {}


def _type_of(entry: dict[str, Any]) -> str:
    return next((key for key in entry if key != "componentId"), "")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _json_text(node: Any) -> str:
    if isinstance(node, list):
        return "".join(_json_text(child) for child in node)
    if not isinstance(node, dict):
        return ""
    own = node.get("textContent")
    return own if isinstance(own, str) else _json_text(node.get("children"))


def rich_text(value: dict[str, Any]) -> RichTextContent:
    html = [str(x) for x in _list(value.get("html"))]
    json = _list(value.get("json"))
    plain = [plain_text(x) for x in html] if html else [_json_text(x) for x in json]
    return RichTextContent(
        json=json if "json" in value else None,
        html=html if "html" in value else None,
        plainText=plain,
    )


def _single_line(_: ContentReader, value: Any, __: Definition) -> SingleLineContent:
    return SingleLineContent(text=_text(value.get("text")) if isinstance(value, dict) else None)


def _rich_text(_: ContentReader, value: Any, __: Definition) -> RichTextContent | None:
    return rich_text(value) if isinstance(value, dict) else None


def _numeric(_: ContentReader, value: Any, __: Definition) -> NumericContent | None:
    if not isinstance(value, dict):
        return None
    return NumericContent(number=_number(value.get("number")), unit=_text(value.get("unit")))


def _boolean(_: ContentReader, value: Any, __: Definition) -> BooleanContent | None:
    return BooleanContent(value=value.get("value")) if isinstance(value, dict) else None


def _datetime(_: ContentReader, value: Any, __: Definition) -> DatetimeContent | None:
    return (
        DatetimeContent(datetime=_text(value.get("datetime"))) if isinstance(value, dict) else None
    )


def _location(_: ContentReader, value: Any, __: Definition) -> LocationContent | None:
    if not isinstance(value, dict):
        return None
    return LocationContent(lat=_number(value.get("lat")), long=_number(value.get("long")))


def _selection(_: ContentReader, value: Any, definition: Definition) -> SelectionContent | None:
    if not isinstance(value, dict):
        return None
    names = {
        option.get("key"): option.get("value")
        for option in _list(_config(definition).get("options"))
        if isinstance(option, dict)
    }
    keys = [str(key) for key in _list(value.get("keys"))]
    return SelectionContent(
        options=[SelectionComponentOptionValue(key=k, value=str(names.get(k) or k)) for k in keys]
    )


def _images(reader: ContentReader, value: Any, __: Definition) -> ImageContent:
    images = reader.images(value)
    return ImageContent(images=images, firstImage=images[0] if images else None)


def _videos(reader: ContentReader, value: Any, __: Definition) -> VideoContent:
    videos = reader.videos(value)
    return VideoContent(videos=videos, firstVideo=videos[0] if videos else None)


def _files(reader: ContentReader, value: Any, __: Definition) -> FileContent:
    files = [
        File(
            key=str(entry["key"]),
            url=reader.url(str(entry["key"])),
            title=_text(entry.get("title")),
        )
        for entry in _list(value)
        if isinstance(entry, dict) and entry.get("key")
    ]
    return FileContent(files=files, firstFile=files[0] if files else None)


def _item_relations(reader: ContentReader, value: Any, __: Definition) -> ItemRelationsContent:
    relations = value if isinstance(value, dict) else {}
    return ItemRelationsContent(
        page=reader.page,
        item_ids=[str(x) for x in _list(relations.get("itemIds"))],
        skus=[str(x) for x in _list(relations.get("skus"))],
    )


def _grid_relations(_: ContentReader, value: Any, __: Definition) -> GridRelationsContent:
    ids = _list(value.get("gridIds")) if isinstance(value, dict) else []
    return GridRelationsContent(grids=[Grid(id=strawberry.ID(str(x))) for x in ids])


def _paragraphs(reader: ContentReader, value: Any, __: Definition) -> ParagraphCollectionContent:
    paragraphs = []
    for entry in _list(value.get("paragraphs")) if isinstance(value, dict) else []:
        if not isinstance(entry, dict):
            continue
        title, body = entry.get("title"), entry.get("body")
        paragraphs.append(
            ParagraphContent(
                title=SingleLineContent(text=_text(title.get("text")))
                if isinstance(title, dict)
                else None,
                body=rich_text(body) if isinstance(body, dict) else None,
                images=reader.images(entry.get("images")),
                videos=reader.videos(entry.get("videos")),
            )
        )
    return ParagraphCollectionContent(paragraphs=paragraphs)


def _properties(_: ContentReader, value: Any, __: Definition) -> PropertiesTableContent:
    sections = []
    for entry in _list(value.get("sections")) if isinstance(value, dict) else []:
        if not isinstance(entry, dict):
            continue
        rows = [p for p in _list(entry.get("properties")) if isinstance(p, dict)]
        sections.append(
            PropertiesTableSection(
                title=_text(entry.get("title")),
                properties=[
                    PropertiesTableProperty(key=str(p.get("key", "")), value=_text(p.get("value")))
                    for p in rows
                ],
            )
        )
    return PropertiesTableContent(sections=sections)


def _colors(_: ContentReader, value: Any, __: Definition) -> ColorsContent:
    entries = _list(value.get("colors")) if isinstance(value, dict) else []
    return ColorsContent(
        colors=[
            Color(
                label=_text(c.get("label")),
                hex=_text(c.get("hex")),
                pantone=_text(c.get("pantone")),
                ral=_text(c.get("ral")),
            )
            for c in entries
            if isinstance(c, dict)
        ]
    )


def _piece(reader: ContentReader, value: Any, definition: Definition) -> PieceContent | None:
    if not isinstance(value, dict):
        return None
    identifier = str(value.get("identifier") or _config(definition).get("identifier") or "")
    definitions = reader.page.store.piece(identifier)
    stored = [x for x in _list(value.get("components")) if isinstance(x, dict)]
    return PieceContent(identifier=identifier, components=reader.components(stored, definitions))


def _chunks(reader: ContentReader, value: Any, definition: Definition) -> ContentChunkContent:
    definitions = [d for d in _list(_config(definition).get("components")) if isinstance(d, dict)]
    chunks = _list(value.get("chunks")) if isinstance(value, dict) else []
    return ContentChunkContent(
        chunks=[
            reader.components([x for x in _list(chunk) if isinstance(x, dict)], definitions)
            for chunk in chunks
        ]
    )


def _choice(reader: ContentReader, value: Any, definition: Definition) -> ComponentChoiceContent:
    choices = [d for d in _list(_config(definition).get("choices")) if isinstance(d, dict)]
    return ComponentChoiceContent(selectedComponent=reader.nested(value, choices))


def _choices(
    reader: ContentReader, value: Any, definition: Definition
) -> ComponentMultipleChoiceContent:
    choices = [d for d in _list(_config(definition).get("choices")) if isinstance(d, dict)]
    selected = [reader.nested(entry, choices) for entry in _list(value)]
    return ComponentMultipleChoiceContent(selectedComponents=[c for c in selected if c])


_BUILDERS: dict[str, Callable[[ContentReader, Any, Definition], Any]] = {
    "boolean": _boolean,
    "colors": _colors,
    "componentChoice": _choice,
    "componentMultipleChoice": _choices,
    "contentChunk": _chunks,
    "datetime": _datetime,
    "files": _files,
    "gridRelations": _grid_relations,
    "images": _images,
    "itemRelations": _item_relations,
    "location": _location,
    "numeric": _numeric,
    "paragraphCollection": _paragraphs,
    "piece": _piece,
    "propertiesTable": _properties,
    "richText": _rich_text,
    "selection": _selection,
    "singleLine": _single_line,
    "videos": _videos,
}
