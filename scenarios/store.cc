#include "scenarios/store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "scenarios/catalog.h"
#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"

namespace dispatchlab::scenarios {
namespace {

// Migrations, in order: kMigrations[i] takes the schema from version i to
// i + 1. Never edit a released migration; append a new one.
const char* const kMigrations[] = {
    // 0 -> 1: scenarios, policies, runs, results, schedule events.
    R"sql(
CREATE TABLE scenarios (
  id            INTEGER PRIMARY KEY,
  domain        TEXT NOT NULL CHECK (domain IN ('jobshop', 'uam')),
  name          TEXT NOT NULL,
  format        TEXT NOT NULL,
  body          TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  builtin       INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (domain, name)
);
CREATE TABLE policies (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  kind             TEXT NOT NULL,
  parameters       TEXT NOT NULL DEFAULT '{}',
  checkpoint_path  TEXT,
  checkpoint_hash  TEXT
);
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  scenario_id  INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
  policy_id    INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  seed         INTEGER NOT NULL,
  disruption   REAL NOT NULL,
  mode         TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('done', 'deadlock', 'failed')),
  error        TEXT,
  wall_s       REAL NOT NULL DEFAULT 0,
  finished_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (scenario_id, policy_id, seed, disruption, mode)
);
CREATE TABLE results (
  run_id     INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  objective  REAL,
  kpis       TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE schedule_events (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  entity    INTEGER, step INTEGER, resource INTEGER,
  t_start   INTEGER NOT NULL, t_mid INTEGER, t_end INTEGER NOT NULL,
  value     REAL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
)sql",
    // 1 -> 2: training runs and their metric curves; a report index.
    R"sql(
CREATE TABLE training_runs (
  id               INTEGER PRIMARY KEY,
  domain           TEXT NOT NULL CHECK (domain IN ('jobshop', 'uam')),
  name             TEXT NOT NULL UNIQUE,
  config           TEXT NOT NULL DEFAULT '{}',
  status           TEXT NOT NULL DEFAULT 'running',
  checkpoint_path  TEXT,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE training_metrics (
  training_run_id  INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
  step             INTEGER NOT NULL,
  name             TEXT NOT NULL,
  value            REAL NOT NULL,
  PRIMARY KEY (training_run_id, step, name)
) WITHOUT ROWID;
CREATE INDEX runs_by_policy ON runs (policy_id, disruption);
)sql",
    // 2 -> 3: a policy is (name, weights hash): a learned policy whose
    // weights changed is a new policy, so its results are never mixed with
    // the old ones. Rebuilt table (SQLite cannot drop a UNIQUE constraint);
    // Migrate turns foreign keys off around it so no run is cascaded away.
    R"sql(
CREATE TABLE policies_v3 (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  parameters       TEXT NOT NULL DEFAULT '{}',
  checkpoint_path  TEXT,
  checkpoint_hash  TEXT NOT NULL DEFAULT '',
  UNIQUE (name, checkpoint_hash)
);
INSERT INTO policies_v3 (id, name, kind, parameters, checkpoint_path, checkpoint_hash)
  SELECT id, name, kind, parameters, checkpoint_path, COALESCE(checkpoint_hash, '')
  FROM policies;
DROP TABLE policies;
ALTER TABLE policies_v3 RENAME TO policies;
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion);

// A prepared statement; errors carry the database message.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); return *this; }
  Stmt& Bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); return *this; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) { sqlite3_bind_null(stmt_, i); return *this; }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return rc_ = sqlite3_step(stmt_); }
  void Reset() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }
  std::int64_t Int(int c) const { return sqlite3_column_int64(stmt_, c); }
  double Double(int c) const { return sqlite3_column_double(stmt_, c); }
  bool IsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::string Text(int c) const {
    const auto* p = sqlite3_column_text(stmt_, c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           sqlite3_column_bytes(stmt_, c))
             : std::string();
  }
  Error Err(const std::string& what) const {
    return Error{fmt::format("database: {}: {}", what, sqlite3_errmsg(db_))};
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// RAII transaction: rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    ok_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (ok_ && !done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool ok() const { return ok_; }
  Status Commit() {
    done_ = true;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error e{fmt::format("database: commit failed: {}", sqlite3_errmsg(db_))};
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    }
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool ok_ = false, done_ = false;
};

Error DbError(sqlite3* db, const std::string& what) {
  return Error{fmt::format("database: {}: {}", what, sqlite3_errmsg(db))};
}

Result<std::int64_t> PragmaInt(sqlite3* db, const char* pragma) {
  Stmt s(db, pragma);
  if (!s.ok()) return s.Err(pragma);
  const int rc = s.Step();
  if (rc != SQLITE_ROW) return s.Err(pragma);
  return s.Int(0);
}

}  // namespace

std::string ContentHash(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                           const StoreOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool memory = path == ":memory:";
  const bool exists = memory ? false : fs::exists(path, ec);
  if (!memory && exists && fs::is_directory(path, ec))
    return Error{fmt::format("{}: is a directory, expected a database file", path)};
  if (!memory && !exists) {
    if (options.read_only)
      return Error{fmt::format("{}: no such database", path)};
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::exists(parent, ec)) {
      fs::create_directories(parent, ec);
      if (ec)
        return Error{fmt::format("{}: cannot create directory {}: {}", path,
                                 parent.string(), ec.message())};
    }
  }
  sqlite3* db = nullptr;
  const int flags = options.read_only
                        ? SQLITE_OPEN_READONLY
                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e{fmt::format("{}: cannot open database: {}", path,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<Store> store(new Store(db, path));
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);

  // Read before writing anything: a foreign file must stay untouched.
  auto version = PragmaInt(db, "PRAGMA user_version");
  if (!version) {
    return Error{fmt::format("{}: not a dispatchlab database ({})", path,
                             sqlite3_errmsg(db))};
  }
  auto app_id = PragmaInt(db, "PRAGMA application_id");
  auto tables = PragmaInt(db, "SELECT count(*) FROM sqlite_master");
  if (!app_id || !tables)
    return Error{fmt::format("{}: not a dispatchlab database ({})", path, sqlite3_errmsg(db))};
  if (*app_id != kApplicationId && (*tables > 0 || *version > 0))
    return Error{fmt::format("{}: a SQLite database, but not a dispatchlab store "
                             "(application_id {:#x})",
                             path, *app_id)};
  if (*version > kSchemaVersion)
    return Error{fmt::format("{}: made by a newer dispatchlab (schema version {}, "
                             "this build knows up to {}); upgrade dispatchlab",
                             path, *version, kSchemaVersion)};
  if (!options.read_only && sqlite3_db_readonly(db, "main") == 1)
    return Error{fmt::format("{}: database is read-only (check the file's "
                             "permissions, or use a different --db)",
                             path)};
  if (options.read_only) {
    if (*version < kSchemaVersion)
      return Error{fmt::format("{}: schema version {} is older than {}; open it "
                               "once for writing to migrate",
                               path, *version, kSchemaVersion)};
    return store;
  }

  if (!memory) {
    auto mode = Stmt(db, "PRAGMA journal_mode=WAL");
    if (mode.Step() != SQLITE_ROW) return DbError(db, "enable WAL");
  }
  if (Status st = store->Exec("PRAGMA foreign_keys=ON"); !st.ok()) return st.error();
  if (Status st = store->Exec("PRAGMA synchronous=NORMAL"); !st.ok()) return st.error();
  if (Status st = store->Migrate(options.migrate_to); !st.ok()) {
    return Error{fmt::format("{}: {}", path, st.error().message)};
  }
  if (options.import_builtins && options.migrate_to == kSchemaVersion) {
    if (Status st = store->ImportBuiltins(); !st.ok()) return st.error();
  }
  return store;
}

Store::~Store() { sqlite3_close(db_); }

Status Store::Exec(const char* sql) const {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    Error e{fmt::format("database: {}", msg ? msg : sqlite3_errmsg(db_))};
    sqlite3_free(msg);
    return e;
  }
  return Status::Ok();
}

int Store::schema_version() const {
  auto v = PragmaInt(db_, "PRAGMA user_version");
  return v ? static_cast<int>(*v) : -1;
}

Status Store::Migrate(int to) {
  // Table rebuilds must not fire ON DELETE CASCADE; the pragma is a no-op
  // inside a transaction, so it is set around each migration and the
  // references are checked before commit.
  struct ForeignKeysBack {
    const Store* s;
    ~ForeignKeysBack() { (void)s->Exec("PRAGMA foreign_keys=ON"); }
  } back{this};
  for (;;) {
    if (Status st = Exec("PRAGMA foreign_keys=OFF"); !st.ok()) return st;
    Transaction tx(db_);
    if (!tx.ok()) return DbError(db_, "begin migration");
    auto v = PragmaInt(db_, "PRAGMA user_version");
    if (!v) return v.error();
    if (*v >= to) return Status::Ok();
    if (Status st = Exec(kMigrations[*v]); !st.ok())
      return Error{fmt::format("migration {} -> {} failed: {}", *v, *v + 1,
                               st.error().message)};
    {
      Stmt check(db_, "PRAGMA foreign_key_check");
      if (check.Step() == SQLITE_ROW)
        return Error{fmt::format("migration {} -> {} left a dangling reference", *v, *v + 1)};
    }
    const std::string set = fmt::format(
        "PRAGMA user_version={}; PRAGMA application_id={};", *v + 1, kApplicationId);
    if (Status st = Exec(set.c_str()); !st.ok()) return st;
    if (Status st = tx.Commit(); !st.ok()) return st;
  }
}

Result<std::int64_t> Store::PutScenario(const ScenarioRecord& s, bool replace) {
  const std::string hash = ContentHash(s.body);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "begin");
  Stmt find(db_, "SELECT id, content_hash FROM scenarios WHERE domain=? AND name=?");
  find.Bind(1, s.domain).Bind(2, s.name);
  std::int64_t id = 0;
  if (find.Step() == SQLITE_ROW) {
    id = find.Int(0);
    if (find.Text(1) == hash) return id;
    if (!replace)
      return Error{fmt::format("scenario {}/{} already exists with different "
                               "content; import it under another --name",
                               s.domain, s.name)};
    Stmt upd(db_, "UPDATE scenarios SET body=?, format=?, content_hash=? WHERE id=?");
    upd.Bind(1, s.body).Bind(2, s.format).Bind(3, hash).Bind(4, id);
    if (upd.Step() != SQLITE_DONE) return upd.Err("update scenario");
  } else {
    Stmt ins(db_, "INSERT INTO scenarios (domain, name, format, body, content_hash, "
                  "builtin) VALUES (?, ?, ?, ?, ?, ?)");
    ins.Bind(1, s.domain).Bind(2, s.name).Bind(3, s.format).Bind(4, s.body)
        .Bind(5, hash).Bind(6, static_cast<std::int64_t>(s.builtin));
    if (ins.Step() != SQLITE_DONE) return ins.Err("insert scenario");
    id = sqlite3_last_insert_rowid(db_);
  }
  if (Status st = tx.Commit(); !st.ok()) return st.error();
  return id;
}

namespace {
ScenarioRecord ReadScenario(const Stmt& s) {
  ScenarioRecord r;
  r.id = s.Int(0);
  r.domain = s.Text(1);
  r.name = s.Text(2);
  r.format = s.Text(3);
  r.body = s.Text(4);
  r.content_hash = s.Text(5);
  r.builtin = s.Int(6) != 0;
  return r;
}
constexpr const char* kScenarioColumns =
    "SELECT id, domain, name, format, body, content_hash, builtin FROM scenarios ";
}  // namespace

Result<std::vector<ScenarioRecord>> Store::ListScenarios(const std::string& domain) const {
  const std::string sql = std::string(kScenarioColumns) +
                          "WHERE (?1 = '' OR domain = ?1) ORDER BY domain, name";
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return s.Err("list scenarios");
  s.Bind(1, domain);
  std::vector<ScenarioRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadScenario(s));
  if (rc != SQLITE_DONE) return s.Err("list scenarios");
  return out;
}

Result<std::optional<ScenarioRecord>> Store::FindScenario(const std::string& domain,
                                                          const std::string& name) const {
  const std::string sql = std::string(kScenarioColumns) + "WHERE domain = ? AND name = ?";
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return s.Err("find scenario");
  s.Bind(1, domain).Bind(2, name);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<ScenarioRecord>(ReadScenario(s));
  if (rc != SQLITE_DONE) return s.Err("find scenario");
  return std::optional<ScenarioRecord>();
}

Status Store::ImportBuiltins() {
  for (const auto& name : BuiltinJobShopNames()) {
    auto inst = LoadJobShopInstance(name);
    if (!inst) return inst.error();
    ScenarioRecord s;
    s.domain = "jobshop";
    s.name = name;
    s.format = "jobshop-standard";
    s.body = jobshop::FormatStandard(*inst);
    s.builtin = true;
    auto id = PutScenario(s, /*replace=*/true);
    if (!id) return id.error();
  }
  for (const auto& name : BuiltinUamNames()) {
    auto sc = LoadUamScenario(name);
    if (!sc) return sc.error();
    ScenarioRecord s;
    s.domain = "uam";
    s.name = name;
    s.format = "uam-json";
    s.body = FormatUamScenario(*sc);
    s.builtin = true;
    auto id = PutScenario(s, /*replace=*/true);
    if (!id) return id.error();
  }
  return Status::Ok();
}

Result<std::int64_t> Store::EnsurePolicy(const PolicyRecord& p) {
  // Fast path, read only: the row exists as it is. Several processes (eval
  // --shard) ask this while another one writes runs; a read never waits.
  {
    Stmt find(db_, "SELECT id, kind, parameters, COALESCE(checkpoint_path, '') FROM policies "
                   "WHERE name = ? AND checkpoint_hash = ?");
    find.Bind(1, p.name).Bind(2, p.checkpoint_hash);
    if (find.Step() == SQLITE_ROW && find.Text(1) == p.kind && find.Text(2) == p.parameters &&
        find.Text(3) == p.checkpoint_path)
      return find.Int(0);
  }
  // Write path in an IMMEDIATE transaction: it waits for the other writer
  // (busy_timeout) instead of failing on a read-to-write upgrade.
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "begin (policy)");
  std::int64_t id = -1;
  {
    Stmt find(db_, "SELECT id FROM policies WHERE name = ? AND checkpoint_hash = ?");
    find.Bind(1, p.name).Bind(2, p.checkpoint_hash);
    if (find.Step() == SQLITE_ROW) id = find.Int(0);
  }
  if (id >= 0) {
    Stmt upd(db_, "UPDATE policies SET kind=?, parameters=?, checkpoint_path=? WHERE id=?");
    upd.Bind(1, p.kind).Bind(2, p.parameters).Bind(3, p.checkpoint_path).Bind(4, id);
    if (upd.Step() != SQLITE_DONE) return upd.Err("update policy");
  } else {
    Stmt ins(db_, "INSERT INTO policies (name, kind, parameters, checkpoint_path, "
                  "checkpoint_hash) VALUES (?, ?, ?, ?, ?)");
    ins.Bind(1, p.name).Bind(2, p.kind).Bind(3, p.parameters).Bind(4, p.checkpoint_path)
        .Bind(5, p.checkpoint_hash);
    if (ins.Step() != SQLITE_DONE) return ins.Err("insert policy");
    id = sqlite3_last_insert_rowid(db_);
  }
  if (Status st = tx.Commit(); !st.ok()) return st.error();
  return id;
}

Result<std::vector<RunKey>> Store::FinishedRuns(std::int64_t scenario_id,
                                                std::int64_t policy_id) const {
  Stmt s(db_, "SELECT seed, disruption, mode FROM runs WHERE scenario_id = ? AND "
              "policy_id = ? AND status IN ('done', 'deadlock')");
  if (!s.ok()) return s.Err("finished runs");
  s.Bind(1, scenario_id).Bind(2, policy_id);
  std::vector<RunKey> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back({scenario_id, policy_id, static_cast<std::uint64_t>(s.Int(0)),
                   s.Double(1), s.Text(2)});
  if (rc != SQLITE_DONE) return s.Err("finished runs");
  return out;
}

Status Store::PutRuns(const std::vector<RunRecord>& runs) {
  if (runs.empty()) return Status::Ok();
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "begin");
  // A failed earlier attempt of the same cell is replaced; a finished one
  // is kept and the new record dropped (no duplicates, no overwrite).
  Stmt del(db_, "DELETE FROM runs WHERE scenario_id=? AND policy_id=? AND seed=? "
                "AND disruption=? AND mode=? AND status='failed'");
  Stmt ins(db_, "INSERT OR IGNORE INTO runs (scenario_id, policy_id, seed, "
                "disruption, mode, status, error, wall_s) VALUES (?,?,?,?,?,?,?,?)");
  Stmt res(db_, "INSERT INTO results (run_id, objective, kpis) VALUES (?, ?, ?)");
  Stmt ev(db_, "INSERT INTO schedule_events (run_id, seq, kind, entity, step, "
               "resource, t_start, t_mid, t_end, value) VALUES (?,?,?,?,?,?,?,?,?,?)");
  if (!del.ok() || !ins.ok() || !res.ok() || !ev.ok()) return DbError(db_, "prepare");
  for (const RunRecord& r : runs) {
    const auto seed = static_cast<std::int64_t>(r.key.seed);
    del.Bind(1, r.key.scenario_id).Bind(2, r.key.policy_id).Bind(3, seed)
        .Bind(4, r.key.disruption).Bind(5, r.key.mode);
    if (del.Step() != SQLITE_DONE) return del.Err("replace failed run");
    del.Reset();
    ins.Bind(1, r.key.scenario_id).Bind(2, r.key.policy_id).Bind(3, seed)
        .Bind(4, r.key.disruption).Bind(5, r.key.mode).Bind(6, r.status)
        .Bind(7, r.error).Bind(8, r.wall_s);
    if (ins.Step() != SQLITE_DONE) return ins.Err("insert run");
    ins.Reset();
    if (sqlite3_changes(db_) == 0) continue;  // already finished: keep it
    const std::int64_t run_id = sqlite3_last_insert_rowid(db_);
    res.Bind(1, run_id);
    if (r.objective) res.Bind(2, *r.objective); else res.BindNull(2);
    res.Bind(3, r.kpis);
    if (res.Step() != SQLITE_DONE) return res.Err("insert result");
    res.Reset();
    std::int64_t seq = 0;
    for (const ScheduleEvent& e : r.events) {
      ev.Bind(1, run_id).Bind(2, seq++).Bind(3, e.kind).Bind(4, e.entity)
          .Bind(5, e.step).Bind(6, e.resource).Bind(7, e.start).Bind(8, e.mid)
          .Bind(9, e.end).Bind(10, e.value);
      if (ev.Step() != SQLITE_DONE) return ev.Err("insert schedule event");
      ev.Reset();
    }
  }
  return tx.Commit();
}

Result<std::vector<ResultRow>> Store::QueryResults(const ResultFilter& f) const {
  std::string sql =
      "SELECT r.id, s.domain, s.name, p.name, r.mode, r.status, r.seed, "
      "r.disruption, res.objective, res.kpis, r.wall_s, p.id, p.checkpoint_hash FROM runs r "
      "JOIN scenarios s ON s.id = r.scenario_id "
      "JOIN policies p ON p.id = r.policy_id "
      "LEFT JOIN results res ON res.run_id = r.id WHERE (?1 = '' OR s.domain = ?1)";
  auto in_list = [&](const char* col, const std::vector<std::string>& v, int first) {
    if (v.empty()) return;
    sql += fmt::format(" AND {} IN (", col);
    for (std::size_t i = 0; i < v.size(); ++i)
      sql += fmt::format("{}?{}", i ? "," : "", first + static_cast<int>(i));
    sql += ")";
  };
  in_list("s.name", f.scenarios, 2);
  in_list("p.name", f.policies, 2 + static_cast<int>(f.scenarios.size()));
  sql += " ORDER BY s.domain, s.name, p.name, r.disruption, r.mode, r.seed";
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return s.Err("query results");
  s.Bind(1, f.domain);
  int i = 2;
  for (const auto& n : f.scenarios) s.Bind(i++, n);
  for (const auto& n : f.policies) s.Bind(i++, n);
  std::vector<ResultRow> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ResultRow r;
    r.run_id = s.Int(0);
    r.domain = s.Text(1);
    r.scenario = s.Text(2);
    r.policy = s.Text(3);
    r.mode = s.Text(4);
    r.status = s.Text(5);
    r.seed = static_cast<std::uint64_t>(s.Int(6));
    r.disruption = s.Double(7);
    if (!s.IsNull(8)) r.objective = s.Double(8);
    r.kpis = s.Text(9);
    r.wall_s = s.Double(10);
    r.policy_id = s.Int(11);
    // Two weights of one learned name are two policies: show which.
    if (const std::string hash = s.Text(12); !hash.empty())
      r.policy += "@" + hash.substr(0, std::min<std::size_t>(8, hash.size()));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return s.Err("query results");
  return out;
}

Result<std::vector<ScheduleEvent>> Store::ScheduleEvents(std::int64_t run_id) const {
  Stmt s(db_, "SELECT kind, entity, step, resource, t_start, t_mid, t_end, value "
              "FROM schedule_events WHERE run_id = ? ORDER BY seq");
  if (!s.ok()) return s.Err("schedule events");
  s.Bind(1, run_id);
  std::vector<ScheduleEvent> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back({s.Text(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5),
                   s.Int(6), s.Double(7)});
  if (rc != SQLITE_DONE) return s.Err("schedule events");
  return out;
}

Result<std::int64_t> Store::CountRuns() const {
  return PragmaInt(db_, "SELECT count(*) FROM runs");
}

Result<std::int64_t> Store::PutTrainingRun(const TrainingRunRecord& r) {
  Stmt s(db_, "INSERT INTO training_runs (domain, name, config, status, checkpoint_path) "
              "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
              "status=excluded.status, checkpoint_path=excluded.checkpoint_path, "
              "updated_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");
  s.Bind(1, r.domain).Bind(2, r.name).Bind(3, r.config).Bind(4, r.status)
      .Bind(5, r.checkpoint_path);
  if (s.Step() != SQLITE_DONE) return s.Err("put training run");
  Stmt id(db_, "SELECT id FROM training_runs WHERE name = ?");
  id.Bind(1, r.name);
  if (id.Step() != SQLITE_ROW) return id.Err("find training run");
  return id.Int(0);
}

Status Store::AddTrainingMetrics(std::int64_t run, std::int64_t step,
                                 const std::vector<std::pair<std::string, double>>& m) {
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "begin");
  Stmt s(db_, "INSERT OR REPLACE INTO training_metrics (training_run_id, step, name, "
              "value) VALUES (?, ?, ?, ?)");
  for (const auto& [name, value] : m) {
    s.Bind(1, run).Bind(2, step).Bind(3, name).Bind(4, value);
    if (s.Step() != SQLITE_DONE) return s.Err("add training metric");
    s.Reset();
  }
  return tx.Commit();
}

Result<std::vector<TrainingRunRecord>> Store::ListTrainingRuns() const {
  Stmt s(db_, "SELECT id, domain, name, config, status, coalesce(checkpoint_path, '') "
              "FROM training_runs ORDER BY id");
  if (!s.ok()) return s.Err("list training runs");
  std::vector<TrainingRunRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
  if (rc != SQLITE_DONE) return s.Err("list training runs");
  return out;
}

Result<std::vector<std::pair<std::int64_t, double>>> Store::TrainingMetric(
    std::int64_t run, const std::string& name) const {
  Stmt s(db_, "SELECT step, value FROM training_metrics WHERE training_run_id = ? AND name = ? "
              "ORDER BY step");
  if (!s.ok()) return s.Err("training metric");
  s.Bind(1, run).Bind(2, name);
  std::vector<std::pair<std::int64_t, double>> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Int(0), s.Double(1)});
  if (rc != SQLITE_DONE) return s.Err("training metric");
  return out;
}

}  // namespace dispatchlab::scenarios
