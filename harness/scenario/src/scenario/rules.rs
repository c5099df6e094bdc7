//! Checking a scenario's rules against the parameters its operation declares, with every
//! problem pointing inside the rule's string in the file.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::domain::{ParamDomain, TRANSPORTS, declarable_params};
use super::error::Problem;
use super::error::ScenarioErrorKind::{InvalidValue, RuleSyntax, UndeclaredParameter};
use super::fields::{Problems, Value, string};
use crate::catalogue::{OperationSpec, ParamType};
use crate::rule::{Comparison, Literal, Rule, Test};
use crate::{ParamValue, TRANSPORT_PARAM};

/// What a rule is checked against: the operation and the parameters it declares.
pub(super) struct RuleScope<'a> {
    pub(super) spec: &'a OperationSpec,
    pub(super) params: &'a BTreeMap<String, ParamDomain>,
    /// Declared parameters whose domains have problems of their own; rules naming them are
    /// not checked further.
    pub(super) broken: &'a BTreeSet<String>,
    /// The whole file, to find where the rule's text starts inside its TOML string.
    pub(super) source: &'a str,
}

/// Reads the rule in `value`, the field `field`, reporting syntax errors, parameters that are
/// not declared and values of the wrong type.
pub(super) fn read_rule(
    value: &Value<'_>,
    field: &str,
    scope: &RuleScope<'_>,
    problems: &mut Problems,
) -> Option<Rule> {
    let text = string(value, field, problems)?;
    let place = RulePlace::new(scope.source, text.span(), text.get_ref());

    let rule = match Rule::parse(text.get_ref()) {
        Ok(rule) => rule,
        Err(error) => {
            let mut problem =
                Problem::new(RuleSyntax, place.map(&error.span), error.message, "here");
            problem.help = error.help;
            problems.push(problem);
            return None;
        }
    };

    let before = problems.len();
    for comparison in rule.comparisons() {
        check_comparison(comparison, scope, &place, problems);
    }
    (problems.len() == before).then_some(rule)
}

fn check_comparison(
    comparison: &Comparison,
    scope: &RuleScope<'_>,
    place: &RulePlace,
    problems: &mut Problems,
) {
    let name = comparison.param.as_str();
    let Some(domain) = scope.params.get(name) else {
        if !scope.broken.contains(name) {
            problems.push(undeclared(comparison, scope, place));
        }
        return;
    };

    if matches!(comparison.test, Test::Like(_)) && domain.param_type() != ParamType::Str {
        problems.push(Problem::new(
            InvalidValue,
            place.map(&comparison.param_span),
            format!(
                "`like` needs a string parameter, `{name}` is a {}",
                domain.param_type()
            ),
            "not a string",
        ));
    }
    for literal in comparison.literals() {
        if let Some(problem) = check_literal(literal, name, domain.param_type(), place) {
            problems.push(problem);
        }
    }
}

fn undeclared(comparison: &Comparison, scope: &RuleScope<'_>, place: &RulePlace) -> Problem {
    let name = comparison.param.as_str();
    let help = match scope.spec.param(name) {
        Some(param) if param.is_id => {
            format!("`{name}` identifies a resource; rules can only test declared parameters")
        }
        Some(_) => format!("declare it under `[operation.params.{name}]`"),
        None => format!(
            "parameters of `{}`: {}",
            scope.spec.name,
            declarable_params(scope.spec)
        ),
    };

    Problem::new(
        UndeclaredParameter,
        place.map(&comparison.param_span),
        format!("rule names undeclared parameter `{name}`"),
        "not declared",
    )
    .help(help)
}

fn check_literal(
    literal: &Literal,
    name: &str,
    param_type: ParamType,
    place: &RulePlace,
) -> Option<Problem> {
    let found = literal.value.param_type();
    if found != param_type {
        let problem = Problem::new(
            InvalidValue,
            place.map(&literal.span),
            format!("`{name}` is a {param_type} parameter, compared with a {found}"),
            format!("a {found}"),
        );
        return Some(match (&literal.value, param_type) {
            (ParamValue::Str(text), ParamType::Bool | ParamType::Int) => {
                problem.help(format!("write `{text}` without quotes"))
            }
            _ => problem,
        });
    }

    let value = literal.value.to_string();
    (name == TRANSPORT_PARAM && !TRANSPORTS.contains(&value.as_str())).then(|| {
        Problem::new(
            InvalidValue,
            place.map(&literal.span),
            format!("unknown transport `{value}`"),
            "not a transport",
        )
        .help("`transport` is `\"http\"` or `\"https\"`")
    })
}

/// Where a rule's text is in the file, to turn spans in the rule into spans in the file.
struct RulePlace {
    /// The file offset of the rule's first byte, when the TOML string holds it verbatim.
    start: Option<usize>,
    /// The whole TOML string, quotes included.
    string_span: Range<usize>,
}

impl RulePlace {
    fn new(source: &str, string_span: Range<usize>, text: &str) -> Self {
        let raw = source.get(string_span.clone()).unwrap_or_default();
        let start = verbatim_offset(raw, text).map(|offset| string_span.start + offset);
        Self { start, string_span }
    }

    /// The file span of `span`, a byte range of the rule.
    // Limitation: a rule written in a TOML string with escapes (`\"`, `\u00e9`) or with a
    // line-ending backslash does not hold the rule's text verbatim, so its problems underline
    // the whole string instead of the exact place inside it.
    fn map(&self, span: &Range<usize>) -> Range<usize> {
        match self.start {
            Some(start) => start + span.start..start + span.end,
            None => self.string_span.clone(),
        }
    }
}

/// Where `text` starts inside `raw`, the TOML string literal it was read from, if `raw` is
/// exactly its delimiters around `text`.
fn verbatim_offset(raw: &str, text: &str) -> Option<usize> {
    let (open, close) = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        let after = raw.get(3..).unwrap_or_default();
        // A newline right after the opening delimiter is not part of the string.
        let newline = if after.starts_with("\r\n") {
            2
        } else {
            usize::from(after.starts_with('\n'))
        };
        (3 + newline, 3)
    } else {
        (1, 1)
    };

    let body = raw.get(open..raw.len().checked_sub(close)?)?;
    (body == text).then_some(open)
}

#[cfg(test)]
mod tests {
    use super::verbatim_offset;

    #[test]
    fn rules_are_found_inside_every_kind_of_toml_string() {
        assert_eq!(verbatim_offset(r#""a == 1""#, "a == 1"), Some(1));
        assert_eq!(verbatim_offset("'a == \"x\"'", "a == \"x\""), Some(1));
        assert_eq!(verbatim_offset("\"\"\"\na == 1\"\"\"", "a == 1"), Some(4));
        assert_eq!(verbatim_offset("'''\r\na == 1'''", "a == 1"), Some(5));
        assert_eq!(verbatim_offset("'''a == 1'''", "a == 1"), Some(3));
    }

    #[test]
    fn escaped_rules_are_not_found() {
        assert_eq!(verbatim_offset(r#""a == \"x\"""#, "a == \"x\""), None);
        assert_eq!(verbatim_offset(r#""\u0061 == 1""#, "a == 1"), None);
    }
}
