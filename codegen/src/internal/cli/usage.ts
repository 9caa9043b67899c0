/** `tracklane --help`. Mirrors the flags documented in codegen/README.md. */
export const USAGE = `Usage: tracklane <command> [flags]

Commands:
  generate   Typed track functions (and validators) from schemas
  check      Lint, immutability (lock file) and SchemaVer checks
  docs       Static HTML catalog and registry.json

Flags:
  --schemas <dir>      Schema directory in the Iglu layout (repeatable; default from config: schemas)
  --out <dir>          Output directory (generate: src/tracking, docs: tracklane-docs)
  --validators <mode>  off | dev | always (generate; default off)
  --watch              Regenerate when a schema changes (generate)
  --lock <file>        Lock file of published versions (check; default tracklane.lock.json)
  --update-lock        Record new versions in the lock file when the check passes (check)
  --format <fmt>       text | json | github (check; default text; github: Actions annotations)
  --base <git ref>     Compare with the schemas at that commit: published versions unchanged,
                       new versions classified, removed versions reported (check)
  --config <file>      Config file (default tracklane.config.json if present)
  --help               This text
`;
