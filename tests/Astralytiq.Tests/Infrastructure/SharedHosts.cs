using Astralytiq.Tests.Browser;
using Astralytiq.Tests.Hardening;
using Astralytiq.Tests.Infrastructure;
using Astralytiq.Tests.Platform;
using Astralytiq.Tests.Properties;

// One host per database and per special setting for the whole run (issue 12). Each fixture starts when the
// first test that names its type starts (PlatformTest.InitializeAsync) and is stopped when the run ends, so a
// filtered run pays only for the hosts it uses. Classes that need other settings (throttling, a
// fake clock, a proxy in front of the database) name their own fixture type, shared the same way. The browser
// tests drive the SQLite host through one Chromium for the run.
[assembly: AssemblyFixture(typeof(SqlitePlatform))]
[assembly: AssemblyFixture(typeof(PostgresPlatform))]
[assembly: AssemblyFixture(typeof(ThrottledPlatform))]
[assembly: AssemblyFixture(typeof(SignInThrottledPlatform))]
[assembly: AssemblyFixture(typeof(FakeClockSqlite))]
[assembly: AssemblyFixture(typeof(FakeClockPostgres))]
[assembly: AssemblyFixture(typeof(PostgresBehindProxy))]
[assembly: AssemblyFixture(typeof(SqliteModuleStores))]
[assembly: AssemblyFixture(typeof(PostgresModuleStores))]
[assembly: AssemblyFixture(typeof(Chromium))]
