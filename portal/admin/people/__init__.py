"""Administration of units and user accounts, and their bulk import from CSV or XLSX."""
