"""Rendering: drawing laid-out pages with ReportLab (frames, pages and PDF writing stay ReportLab's)."""
