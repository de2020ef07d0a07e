"""Word reports (.docx): the tables of the body, with tracked changes read as accepted."""
