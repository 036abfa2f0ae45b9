"""The HTTP layer shared by every blueprint: the Api and its error envelope, the Blueprint
and its strict request parser, pagination, the id converter, error handlers, headers."""
