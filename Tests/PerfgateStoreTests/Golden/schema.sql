CREATE INDEX measurement_on_series_value ON measurement(seriesId, statistic, value);

CREATE INDEX run_on_branch ON run(branch, scenario, environment);

CREATE INDEX run_on_commit ON run(commitSha);

CREATE TABLE changePoint (
    scenario TEXT NOT NULL,
    environment TEXT NOT NULL,
    branch TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    metric TEXT NOT NULL,
    statistic TEXT NOT NULL,
    commitSha TEXT NOT NULL,
    previousSha TEXT NOT NULL,
    levelBefore REAL NOT NULL,
    levelAfter REAL NOT NULL,
    relativeChange REAL NOT NULL,
    pValue REAL NOT NULL,
    settled BOOLEAN NOT NULL,
    isRegression BOOLEAN NOT NULL,
    detectedAt DATETIME NOT NULL,
    PRIMARY KEY (scenario, environment, branch, endpoint, metric, statistic, commitSha)
) WITHOUT ROWID;

CREATE TABLE checkResult (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    groupPath TEXT NOT NULL,
    name TEXT NOT NULL,
    passes INTEGER NOT NULL,
    fails INTEGER NOT NULL,
    PRIMARY KEY (runId, groupPath, name)
) WITHOUT ROWID;

CREATE TABLE "commit" (
    sha TEXT PRIMARY KEY NOT NULL CHECK (length(sha) BETWEEN 7 AND 64),
    committedAt DATETIME,
    parentSha TEXT
);

CREATE TABLE distribution (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    seriesId INTEGER NOT NULL REFERENCES series(id),
    sampleCount INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    PRIMARY KEY (runId, seriesId)
) WITHOUT ROWID;

CREATE TABLE errorSummary (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    message TEXT NOT NULL,
    occurrences INTEGER NOT NULL,
    PRIMARY KEY (runId, endpoint, message)
) WITHOUT ROWID;

CREATE TABLE measurement (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    seriesId INTEGER NOT NULL REFERENCES series(id),
    statistic TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (runId, seriesId, statistic)
) WITHOUT ROWID;

CREATE TABLE run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    commitSha TEXT NOT NULL REFERENCES "commit"(sha),
    branch TEXT NOT NULL,
    scenario TEXT NOT NULL,
    environment TEXT NOT NULL,
    tool TEXT NOT NULL,
    toolVersion TEXT,
    format TEXT NOT NULL,
    startedAt DATETIME,
    durationSeconds REAL,
    vus INTEGER,
    maxVUs INTEGER,
    ingestedAt DATETIME NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    contentDigest TEXT NOT NULL,
    perfgateVersion TEXT NOT NULL,
    UNIQUE (commitSha, scenario, environment, contentDigest)
);

CREATE TABLE runLoad (
    runId INTEGER PRIMARY KEY NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    profile TEXT,
    workers INTEGER CHECK (workers IS NULL OR workers > 0)
) WITHOUT ROWID;

CREATE TABLE runSource (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    digest TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (runId, path)
) WITHOUT ROWID;

CREATE TABLE runTag (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (runId, key)
) WITHOUT ROWID;

CREATE TABLE runTimeline (
    runId INTEGER PRIMARY KEY NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    bucketSeconds REAL NOT NULL CHECK (bucketSeconds > 0),
    offsetSeconds REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scenario TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    metric TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('lower', 'higher')),
    UNIQUE (scenario, endpoint, metric)
);

CREATE TABLE serverSample (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    time REAL NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (runId, name, idx)
) WITHOUT ROWID;

CREATE TABLE threshold (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    expression TEXT NOT NULL,
    passed BOOLEAN NOT NULL,
    PRIMARY KEY (runId, metric, expression)
) WITHOUT ROWID;

CREATE TABLE timelineBucket (
    runId INTEGER NOT NULL REFERENCES runTimeline(runId) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    idx INTEGER NOT NULL,
    requests REAL NOT NULL,
    errors REAL NOT NULL,
    p50 REAL,
    p95 REAL,
    users REAL,
    PRIMARY KEY (runId, endpoint, idx)
) WITHOUT ROWID;

CREATE VIEW change_points AS
    SELECT scenario, environment, branch, endpoint, metric, statistic, commitSha AS commit_sha,
           previousSha AS previous_sha, levelBefore AS before, levelAfter AS after,
           relativeChange AS relative_change, pValue AS p_value, settled, isRegression AS is_regression,
           detectedAt AS detected_at
    FROM changePoint;

CREATE VIEW checks AS
    SELECT k.runId AS run_id, r.commitSha AS commit_sha, k.groupPath AS group_path, k.name,
           k.passes, k.fails
    FROM checkResult k JOIN run r ON r.id = k.runId;

CREATE VIEW measurements AS
    SELECT m.runId AS run_id, r.commitSha AS commit_sha, r.branch, c.committedAt AS committed_at,
           r.scenario, r.environment, s.endpoint, s.metric, m.statistic, m.value, s.unit, s.direction
    FROM measurement m
    JOIN run r ON r.id = m.runId
    JOIN "commit" c ON c.sha = r.commitSha
    JOIN series s ON s.id = m.seriesId;

CREATE VIEW run_loads AS
    SELECT l.runId AS run_id, r.commitSha AS commit_sha, r.scenario, r.environment, l.profile, l.workers
    FROM runLoad l JOIN run r ON r.id = l.runId;

CREATE VIEW runs AS
    SELECT r.id AS run_id, r.commitSha AS commit_sha, r.branch, c.committedAt AS committed_at,
           c.parentSha AS parent_sha, r.scenario, r.environment, r.tool, r.toolVersion AS tool_version,
           r.format, r.startedAt AS started_at, r.durationSeconds AS duration_s, r.vus, r.maxVUs AS max_vus,
           r.attempt, r.ingestedAt AS ingested_at
    FROM run r JOIN "commit" c ON c.sha = r.commitSha;

CREATE VIEW series_stats AS
    SELECT m.runId AS run_id, r.commitSha AS commit_sha, r.branch, r.scenario, r.environment,
           s.endpoint, s.metric, s.unit,
           MAX(CASE WHEN m.statistic = 'count' THEN m.value END) AS count,
           MAX(CASE WHEN m.statistic = 'mean' THEN m.value END) AS mean,
           MAX(CASE WHEN m.statistic = 'min' THEN m.value END) AS min,
           MAX(CASE WHEN m.statistic = 'p50' THEN m.value END) AS p50,
           MAX(CASE WHEN m.statistic = 'p90' THEN m.value END) AS p90,
           MAX(CASE WHEN m.statistic = 'p95' THEN m.value END) AS p95,
           MAX(CASE WHEN m.statistic = 'p99' THEN m.value END) AS p99,
           MAX(CASE WHEN m.statistic = 'max' THEN m.value END) AS max,
           MAX(CASE WHEN m.statistic = 'errors' THEN m.value END) AS errors,
           MAX(CASE WHEN m.statistic = 'error_rate' THEN m.value END) AS error_rate,
           MAX(CASE WHEN m.statistic = 'throughput' THEN m.value END) AS throughput
    FROM measurement m
    JOIN run r ON r.id = m.runId
    JOIN series s ON s.id = m.seriesId
    GROUP BY m.runId, m.seriesId;

CREATE VIEW server_samples AS
    SELECT s.runId AS run_id, r.commitSha AS commit_sha, r.scenario, r.environment, s.name,
           s.time AS unix_s, s.time - (julianday(r.startedAt) - 2440587.5) * 86400.0 AS start_s, s.value
    FROM serverSample s JOIN run r ON r.id = s.runId;

CREATE VIEW thresholds AS
    SELECT t.runId AS run_id, r.commitSha AS commit_sha, t.metric, t.expression, t.passed
    FROM threshold t JOIN run r ON r.id = t.runId;

CREATE VIEW timeline AS
    SELECT b.runId AS run_id, r.commitSha AS commit_sha, r.branch, r.scenario, r.environment, b.endpoint,
           t.offsetSeconds + b.idx * t.bucketSeconds AS start_s, t.bucketSeconds AS bucket_s,
           b.requests, b.errors, b.p50, b.p95, b.users
    FROM timelineBucket b JOIN runTimeline t ON t.runId = b.runId JOIN run r ON r.id = b.runId;
