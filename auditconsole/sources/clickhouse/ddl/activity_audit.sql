-- django-activity-audit's records shipped by Vector (docs/scale-out.md): one row per
-- record, the record's top-level fields as columns and its nested objects (user_info,
-- extra, request_repr, response_repr) as JSON text. The tests create it verbatim.
CREATE TABLE IF NOT EXISTS activity_audit_logs (
    timestamp DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    level LowCardinality(String),
    name LowCardinality(String),
    message String CODEC(ZSTD(1)),
    hostname LowCardinality(String),
    file LowCardinality(String),
    model LowCardinality(String),
    event_type LowCardinality(String),
    instance_id String,
    user_id String,
    service_name LowCardinality(String),
    request_type LowCardinality(String),
    execution_time Float64,
    user_info String CODEC(ZSTD(1)),
    extra String CODEC(ZSTD(1)),
    request_repr String CODEC(ZSTD(1)),
    response_repr String CODEC(ZSTD(1))
) ENGINE = MergeTree()
PARTITION BY toDate(timestamp)
ORDER BY (hostname, timestamp)
SETTINGS index_granularity = 8192
