"""The researcher surface: the console pages (studies, builder, cases, exports, report)."""
