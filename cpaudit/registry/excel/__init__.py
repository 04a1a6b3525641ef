"""Excel (.xlsx) import and export of the enterprise registry.

columns.py defines the columns once; template.py, importer.py and exporter.py all read them.
"""
