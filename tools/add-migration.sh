#!/usr/bin/env bash
# Adds a migration to one module for both databases, beside its model snapshot:
#   bash tools/add-migration.sh <Module> <Name>      e.g.  bash tools/add-migration.sh Data AddPipelineOwner
# Module is one of Platform, Tenancy, Identity, Audit, Data, ML, Dashboards, Notifications, Billing. Needs the local tool (dotnet tool restore).
# The test Platform/MigrationTests fails until every model change has its migration on both providers.
set -euo pipefail
cd "$(dirname "$0")/.."
module="${1:?module (Platform, Tenancy, Identity, Audit, Data, ML, Dashboards, Notifications, Billing)}"
name="${2:?migration name}"
if [ "$module" = "Platform" ]; then project="src/Astralytiq.Platform"; else project="src/Modules/Astralytiq.$module"; fi
[ -d "$project" ] || { echo "no project at $project" >&2; exit 1; }
context_prefix="$module"
[ "$module" = "ML" ] && context_prefix="Ml"
dotnet tool restore >/dev/null
dotnet build "$project" -v q -nologo >/dev/null
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" --no-build --project "$project" --startup-project "$project" \
    --context "${context_prefix}${provider}DbContext" --output-dir "Persistence/Migrations/$provider"
done
