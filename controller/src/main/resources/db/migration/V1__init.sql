-- Placeholder: replaced by the mirror schema.
CREATE TABLE team (id UUID PRIMARY KEY, name VARCHAR(253) NOT NULL);
