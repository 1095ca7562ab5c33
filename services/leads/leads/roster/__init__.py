"""The duty roster (值班表): who is on duty each day, and whose turn the next lead filed by the DCC is."""
