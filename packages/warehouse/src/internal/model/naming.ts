/**
 * Table and column names, compatible with Snowplow's loaders: snake_case throughout, a table per
 * schema family and MODEL named `<vendor>_<name>_<model>` (`com.acme/signUp` 1-x-x ->
 * `com_acme_sign_up_1`). The rules are written down in the package README ("Naming").
 */

/**
 * Snowplow's snake_case (schema-ddl's `toSnakeCase`): a lower-case letter or digit followed by an
 * upper-case one gets an underscore between (`userId` -> `user_id`), as does an acronym followed by
 * a word (`HTTPCode` -> `http_code`); `.`, `-`, spaces and every other character that is not a
 * letter, a digit or `_` become `_`; all lower case.
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
}

/** `com.acme`, `sign_up`, 1 -> `com_acme_sign_up_1`. */
export function familyTableName(vendor: string, name: string, model: number): string {
  return `${snakeCase(vendor)}_${snakeCase(name)}_${model}`;
}

/** Quotes an identifier for SQL: names come from schemas, so none is trusted to be a plain word. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function quoteText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
