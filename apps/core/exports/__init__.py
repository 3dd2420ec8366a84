"""Spreadsheet exports that do not grow with the data (one path for every app):

- ``cells``: the value a cell shows (codes as words, exact decimals) and the
  neutralising of text that a spreadsheet would run as a formula;
- ``writers``: CSV streamed row by row (UTF-8 with BOM) and XLSX in openpyxl's
  write-only mode (numbers as numbers, dates as dates, text as text);
- ``files``: large XLSX exports built by a Celery task into a file the user
  downloads from the admin when it is ready.
"""
