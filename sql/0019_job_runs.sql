-- Daily jobs that `fazhi serve` runs by itself (the credential and rectification sweeps):
-- one row per job and China Standard Time day. The first server to insert a day's row
-- runs it; every other server sees the row and skips. A row left unfinished for an hour
-- (its server died mid-run) may be taken over; the sweeps are idempotent.
CREATE TABLE job_runs (
    job         text NOT NULL,
    day         date NOT NULL,
    claimed_at  timestamptz NOT NULL,
    finished_at timestamptz,
    summary     text,
    PRIMARY KEY (job, day)
);
GRANT SELECT, INSERT, UPDATE (claimed_at, finished_at, summary) ON job_runs TO fazhi_app;
