-- rules (规则): the baseline of the area's tables.

-- Versioned rules with effective dates.
CREATE TABLE rules (
    rule_key TEXT NOT NULL,
    effective_from DATE NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (rule_key, effective_from)
);
