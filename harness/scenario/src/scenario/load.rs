//! Reading scenario files: parsing the TOML, checking every field against the format and the
//! catalogue, and collecting every problem of every file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use scpcheck_policy::decode_utf8;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::domain::{ParamDomain, read_domain};
use super::error::ScenarioErrorKind::{
    DuplicateId, InvalidValue, Io, MissingParameter, Syntax, UnknownOperation,
};
use super::error::{Problem, ScenarioError, ScenarioErrors};
use super::fields::{Problems, Table, Value, array, wrong_type};
use super::rules::{RuleScope, read_rule};
use super::{AcceptedGap, Restriction, Scenario, ScenarioOperation};
use crate::TRANSPORT_PARAM;
use crate::catalogue::{self, OperationSpec};

const ROOT_FIELDS: [&str; 4] = ["id", "description", "restriction", "operation"];
const RESTRICTION_FIELDS: [&str; 2] = ["section", "text"];
const OPERATION_FIELDS: [&str; 4] = ["name", "params", "expect", "accepted_gap"];
const EXPECT_FIELDS: [&str; 1] = ["deny_when"];
const GAP_FIELDS: [&str; 2] = ["when", "reason"];

/// Reads and checks the scenario file at `path`, reporting every problem in it.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let bytes = std::fs::read(path).map_err(|error| {
        let message = format!("cannot read scenario file: {error}");
        ScenarioErrors::new(vec![ScenarioError::without_place(Io, path, message)])
    })?;
    let text = decode_utf8(&path.display().to_string(), bytes)
        .map_err(|problem| ScenarioErrors::new(vec![ScenarioError::not_utf8(path, &problem)]))?;
    parse_scenario(path, &text)
}

/// Checks `text` as a scenario file read from `source_path`, reporting every problem in it.
pub fn parse_scenario(source_path: &Path, text: &str) -> Result<Scenario, ScenarioErrors> {
    let source: Arc<str> = Arc::from(text);
    let mut problems = Problems::new();
    let document = read_document(&source, &mut problems);

    match document {
        Some(document) if problems.is_empty() => Ok(Scenario {
            id: document.id.get_ref().clone(),
            description: document.description,
            restriction: document.restriction,
            operations: document.operations,
            source_path: source_path.to_owned(),
            id_span: document.id.span(),
            source_text: source,
        }),
        _ => Err(ScenarioErrors::new(
            problems
                .into_iter()
                .map(|problem| ScenarioError::at(problem, source_path, &source))
                .collect(),
        )),
    }
}

/// Reads every `*.toml` file directly in `dir`, reporting every problem of every file and
/// scenario ids used twice; the scenarios are sorted by id.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, ScenarioErrors> {
    let files = scenario_files(dir).map_err(|error| ScenarioErrors::new(vec![error]))?;

    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match load_scenario(&file) {
            Ok(scenario) => scenarios.push(scenario),
            Err(problems) => errors.extend(problems.into_errors()),
        }
    }
    errors.extend(duplicate_ids(&scenarios));

    if !errors.is_empty() {
        return Err(ScenarioErrors::new(errors));
    }
    scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(scenarios)
}

/// The `*.toml` files directly in `dir`, sorted by path.
fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let io_error = |error: std::io::Error| {
        ScenarioError::without_place(Io, dir, format!("cannot read scenario directory: {error}"))
    };

    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "toml")
            && path.is_file()
        {
            files.push(path);
        }
    }
    if files.is_empty() {
        let message = "no scenario files (`*.toml`) in the directory".to_owned();
        return Err(ScenarioError::without_place(Io, dir, message));
    }
    files.sort();
    Ok(files)
}

fn duplicate_ids(scenarios: &[Scenario]) -> Vec<ScenarioError> {
    let mut first_use: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut errors = Vec::new();
    for scenario in scenarios {
        let Some(first) = first_use.insert(&scenario.id, &scenario.source_path) else {
            continue;
        };
        first_use.insert(&scenario.id, first);
        let problem = Problem::new(
            DuplicateId,
            scenario.id_span.clone(),
            format!(
                "scenario id `{}` is also used by `{}`",
                scenario.id,
                first.display()
            ),
            "used twice",
        )
        .help("give every scenario its own id");
        errors.push(ScenarioError::at(
            problem,
            &scenario.source_path,
            &scenario.source_text,
        ));
    }
    errors
}

/// The parts of a scenario read from its file.
struct Document {
    id: Spanned<String>,
    description: String,
    restriction: Restriction,
    operations: Vec<ScenarioOperation>,
}

fn read_document(source: &str, problems: &mut Problems) -> Option<Document> {
    let (root, syntax_errors) = DeTable::parse_recoverable(source);
    // A document with syntax errors is only partly recovered; checking its fields would report
    // problems that fixing the syntax makes disappear, so syntax errors are reported alone.
    if !syntax_errors.is_empty() {
        problems.extend(syntax_errors.iter().map(syntax_problem));
        return None;
    }

    let root = Spanned::new(root.span(), DeValue::Table(root.into_inner()));
    let table = Table::read(&root, "the top level table", &ROOT_FIELDS, problems)?;
    let id = table
        .required_string("id", problems)
        .and_then(|id| check_id(id, problems));
    let description = table.required_string("description", problems);
    let restriction = table.required("restriction", problems);
    let restriction = restriction.and_then(|value| read_restriction(value, problems));
    let operations = table.required("operation", problems);
    let operations = operations.map(|value| read_operations(value, source, problems));

    Some(Document {
        id: id?,
        description: description?.into_inner(),
        restriction: restriction?,
        operations: operations?,
    })
}

fn syntax_problem(error: &toml::de::Error) -> Problem {
    let span = error.span().unwrap_or(0..0);
    Problem::new(
        Syntax,
        span,
        format!("invalid TOML: {}", error.message()),
        "here",
    )
}

fn check_id(id: Spanned<String>, problems: &mut Problems) -> Option<Spanned<String>> {
    let valid = id.get_ref().split('-').all(|word| {
        !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    if valid {
        return Some(id);
    }

    problems.push(
        Problem::new(
            InvalidValue,
            id.span(),
            format!(
                "scenario id `{}` is not lowercase words joined by `-`",
                id.get_ref()
            ),
            "invalid id",
        )
        .help("use letters `a`-`z`, digits and single `-`, e.g. `ebs-volumes-encrypted`"),
    );
    None
}

fn read_restriction(value: &Value<'_>, problems: &mut Problems) -> Option<Restriction> {
    let table = Table::read(value, "`[restriction]`", &RESTRICTION_FIELDS, problems)?;
    let section = table.required_string("section", problems);
    let text = table.required_string("text", problems);
    Some(Restriction {
        section: section?.into_inner(),
        text: text?.into_inner(),
    })
}

/// The tables of an array of tables such as `[[operation]]`, reporting a plain table or an
/// empty array.
fn tables_of<'a, 'i>(
    value: &'a Value<'i>,
    field: &str,
    problems: &mut Problems,
) -> Option<&'a [Value<'i>]> {
    if value.get_ref().is_table() {
        problems.push(
            wrong_type(value, &format!("`{field}`"), "an array of tables")
                .help(format!("write `[[{field}]]` for each entry")),
        );
        return None;
    }
    let (items, span) = array(value, &format!("`{field}`"), problems)?;
    if items.is_empty() {
        problems.push(Problem::new(
            InvalidValue,
            span,
            format!("`{field}` must not be empty"),
            "empty",
        ));
        return None;
    }
    Some(items)
}

fn read_operations(
    value: &Value<'_>,
    source: &str,
    problems: &mut Problems,
) -> Vec<ScenarioOperation> {
    let Some(items) = tables_of(value, "operation", problems) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| read_operation(item, source, problems))
        .collect()
}

fn read_operation(
    value: &Value<'_>,
    source: &str,
    problems: &mut Problems,
) -> Option<ScenarioOperation> {
    let table = Table::read(value, "`[[operation]]`", &OPERATION_FIELDS, problems)?;
    let name = table.required_string("name", problems);
    let expect = table.required("expect", problems);
    let spec = find_operation(name.as_ref()?, problems)?;

    let (params, broken) = read_params(&table, spec, problems);
    check_required_params(spec, &params, &broken, name.as_ref()?, problems);
    let scope = RuleScope {
        spec,
        params: &params,
        broken: &broken,
        source,
    };
    let deny_when = expect.and_then(|value| read_expect(value, &scope, problems));
    let accepted_gaps = read_accepted_gaps(&table, &scope, problems);

    Some(ScenarioOperation {
        name: spec.name.to_owned(),
        spec,
        deny_when: deny_when?,
        accepted_gaps: accepted_gaps?,
        params,
    })
}

fn find_operation(
    name: &Spanned<String>,
    problems: &mut Problems,
) -> Option<&'static OperationSpec> {
    let spec = catalogue::find(name.get_ref());
    if spec.is_none() {
        problems.push(
            Problem::new(
                UnknownOperation,
                name.span(),
                format!("unknown operation `{}`", name.get_ref()),
                "not in the catalogue",
            )
            .help(format!(
                "known operations: {}",
                catalogue::known_operations()
            )),
        );
    }
    spec
}

/// The declared parameter domains, plus the names of declared parameters whose domains are
/// invalid, so that rules naming them are not reported as naming undeclared parameters.
fn read_params(
    table: &Table<'_, '_>,
    spec: &OperationSpec,
    problems: &mut Problems,
) -> (BTreeMap<String, ParamDomain>, BTreeSet<String>) {
    let mut params = BTreeMap::new();
    let mut broken = BTreeSet::new();
    if let Some(value) = table.get("params") {
        match value.get_ref().as_table() {
            Some(entries) => {
                for (key, value) in entries.iter() {
                    let name = key.get_ref().to_string();
                    match read_domain(key, value, spec, problems) {
                        Some(domain) => {
                            params.insert(name, domain);
                        }
                        None => {
                            broken.insert(name);
                        }
                    }
                }
            }
            None => problems.push(wrong_type(value, "`params`", "a table")),
        }
    }

    if !params.contains_key(TRANSPORT_PARAM) && !broken.contains(TRANSPORT_PARAM) {
        params.insert(TRANSPORT_PARAM.to_owned(), ParamDomain::default_transport());
    }
    (params, broken)
}

fn check_required_params(
    spec: &OperationSpec,
    params: &BTreeMap<String, ParamDomain>,
    broken: &BTreeSet<String>,
    name: &Spanned<String>,
    problems: &mut Problems,
) {
    let declared = |param: &str| params.contains_key(param) || broken.contains(param);
    for param in spec
        .params
        .iter()
        .filter(|param| param.required && !declared(param.name))
    {
        problems.push(
            Problem::new(
                MissingParameter,
                name.span(),
                format!("`{}` needs parameter `{}`", spec.name, param.name),
                format!("needs `{}`", param.name),
            )
            .help(format!(
                "declare `[operation.params.{}]` with the values to try",
                param.name
            )),
        );
    }
}

fn read_expect(
    value: &Value<'_>,
    scope: &RuleScope<'_>,
    problems: &mut Problems,
) -> Option<crate::Rule> {
    let table = Table::read(value, "`[operation.expect]`", &EXPECT_FIELDS, problems)?;
    let deny_when = table.required("deny_when", problems)?;
    read_rule(deny_when, "deny_when", scope, problems)
}

/// The accepted gaps, or `None` if any of them has a problem.
fn read_accepted_gaps(
    table: &Table<'_, '_>,
    scope: &RuleScope<'_>,
    problems: &mut Problems,
) -> Option<Vec<AcceptedGap>> {
    let Some(value) = table.get("accepted_gap") else {
        return Some(Vec::new());
    };
    let items = tables_of(value, "accepted_gap", problems)?;

    let gaps: Vec<_> = items
        .iter()
        .map(|item| read_accepted_gap(item, scope, problems))
        .collect();
    gaps.into_iter().collect()
}

fn read_accepted_gap(
    value: &Value<'_>,
    scope: &RuleScope<'_>,
    problems: &mut Problems,
) -> Option<AcceptedGap> {
    let table = Table::read(value, "`[[operation.accepted_gap]]`", &GAP_FIELDS, problems)?;
    let when = table.required("when", problems);
    let when = when.and_then(|value| read_rule(value, "when", scope, problems));
    let reason = table.required_string("reason", problems);
    Some(AcceptedGap {
        when: when?,
        reason: reason?.into_inner(),
    })
}
