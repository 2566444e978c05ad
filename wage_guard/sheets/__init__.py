"""Spreadsheets: the one adapter for python-calamine (reading XLSX) and openpyxl (writing XLSX), plus CSV in the
encodings Chinese offices save (UTF-8 with or without BOM, GB18030/GBK). The domains get rows of cells and give
rows of cells back."""
