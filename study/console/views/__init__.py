"""The researcher console's views, one module per page group."""
