"""Records filing (journalisering) to the authority's ESDH records system: a documented JSON
payload and two adapters. Domain-free: grants.cases.records decides what is filed."""
