"""Pages of working life, one module a subject: employers, placements, education, income."""
