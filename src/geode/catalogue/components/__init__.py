"""Component definitions (what a shape or piece declares) and component content (what an
item holds), with the check of content against definitions. Pure: no database here; the
caller prefetches what the check needs (`check.ContentContext`)."""
