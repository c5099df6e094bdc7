//! Rewriting the generated policies of a case, and reading values the way the oracle does.

use crate::case::{Case, ConditionDocument, KeyValue, PolicyDocument, StatementDocument};
use crate::vocabulary::Family;

/// Applies `rewrite` to every generated policy; `None` when nothing changed.
pub(super) fn rewrite_documents(
    case: &Case,
    mut rewrite: impl FnMut(&PolicyDocument) -> Option<PolicyDocument>,
) -> Option<Case> {
    let mut rewritten = case.clone();
    let mut changed = false;
    for document in rewritten.documents_mut() {
        if let Some(replacement) = rewrite(document) {
            changed |= replacement != *document;
            *document = replacement;
        }
    }
    changed.then_some(rewritten)
}

/// Applies `rewrite` to every statement of every generated policy; `None` when nothing changed.
pub(super) fn rewrite_statements(
    case: &Case,
    mut rewrite: impl FnMut(&StatementDocument) -> Option<StatementDocument>,
) -> Option<Case> {
    rewrite_documents(case, |document| {
        let statements = document
            .statements
            .iter()
            .map(|statement| rewrite(statement).unwrap_or_else(|| statement.clone()))
            .collect();
        Some(PolicyDocument {
            statements,
            ..document.clone()
        })
    })
}

/// Applies `rewrite` to every condition of every generated policy; `None` when nothing changed.
pub(super) fn rewrite_conditions(
    case: &Case,
    mut rewrite: impl FnMut(
        &ConditionDocument,
        &mut Vec<(String, KeyValue)>,
    ) -> Option<ConditionDocument>,
) -> Option<Case> {
    let mut rewritten = case.clone();
    let mut extra_context = Vec::new();
    let mut changed = false;
    for document in rewritten.documents_mut() {
        for statement in &mut document.statements {
            for condition in &mut statement.conditions {
                if let Some(replacement) = rewrite(condition, &mut extra_context) {
                    changed |= replacement != *condition;
                    *condition = replacement;
                }
            }
        }
    }
    changed |= !extra_context.is_empty();
    rewritten.context.extend(extra_context);
    changed.then_some(rewritten)
}

/// The operator name split into prefix, base and `IfExists` suffix.
pub(super) fn split_operator(operator: &str) -> (&str, &str, &str) {
    let (prefix, rest) = match operator.split_once(':') {
        Some((prefix, rest)) => (prefix, rest),
        None => ("", operator),
    };
    match rest.strip_suffix("IfExists") {
        Some(base) => (prefix, base, "IfExists"),
        None => (prefix, rest, ""),
    }
}

/// The operator family of a condition.
pub(super) fn family_of(condition: &ConditionDocument) -> Option<Family> {
    Family::of(split_operator(&condition.operator).1)
}

/// A condition that is false on every request: a `StringEquals` on a key no request holds.
pub(super) fn never(count: usize) -> ConditionDocument {
    ConditionDocument {
        operator: "StringEquals".to_owned(),
        key: format!("emulated:never-{count}"),
        values: vec!["never".to_owned()],
    }
}

/// Rewrites the values an operator family reads, in the policy and in the request, with
/// `read`: what the oracle reads a value as, in a form the evaluator under test reads the same
/// way, or `None` for a value it cannot read. The request's value is moved to a fresh key used
/// by this condition alone, so other conditions on the same key still see the original.
pub(super) fn rewrite_values(
    case: &Case,
    family: Family,
    read: fn(&str) -> Option<String>,
) -> Option<Case> {
    let unreadable = || "unreadable".to_owned();
    let mut fresh = 0;
    rewrite_conditions(case, |condition, extra_context| {
        if family_of(condition) != Some(family) {
            return None;
        }
        let mut rewritten = condition.clone();
        rewritten.values = condition
            .values
            .iter()
            .map(|value| read(value).unwrap_or_else(unreadable))
            .collect();
        if let Some(found) = case.context_value(&condition.key) {
            let value = match found {
                KeyValue::Single(text) => KeyValue::Single(read(text).unwrap_or_else(unreadable)),
                KeyValue::Multi(values) => KeyValue::Multi(
                    values
                        .iter()
                        .map(|text| read(text).unwrap_or_else(unreadable))
                        .collect(),
                ),
            };
            if value != *found {
                fresh += 1;
                rewritten.key = format!("emulated:{family:?}-{fresh}");
                extra_context.push((rewritten.key.clone(), value));
            }
        }
        Some(rewritten)
    })
}

/// The request's values of a key, one for a single-valued key.
pub(super) fn found_values(found: &KeyValue) -> impl Iterator<Item = &str> {
    let values: &[String] = match found {
        KeyValue::Single(value) => std::slice::from_ref(value),
        KeyValue::Multi(values) => values,
    };
    values.iter().map(String::as_str)
}

/// Whether comparing ARN pattern `pattern` with `found` part by part reaches the first part
/// holding a variable before a part that does not match.
pub(super) fn arn_reaches_variable(pattern: &str, found: &str) -> bool {
    let mut found_parts = found.splitn(6, ':');
    for part in pattern.splitn(6, ':') {
        if part.contains("${") {
            return true;
        }
        match found_parts.next() {
            Some(found_part) if wildcard_match(part, found_part) => {}
            _ => return false,
        }
    }
    false
}

/// `*` matches any run of characters, `?` one character.
pub(super) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut at_pattern, mut at_text) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while at_text < text.len() {
        match pattern.get(at_pattern) {
            Some('*') => {
                star = Some((at_pattern + 1, at_text));
                at_pattern += 1;
            }
            Some(&expected) if expected == '?' || Some(&expected) == text.get(at_text) => {
                at_pattern += 1;
                at_text += 1;
            }
            _ => match star {
                Some((after_star, star_text)) => {
                    at_pattern = after_star;
                    at_text = star_text + 1;
                    star = Some((after_star, star_text + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(at_pattern..)
        .unwrap_or_default()
        .iter()
        .all(|c| *c == '*')
}

/// Whether `text` holds a `${key}` whose key is absent (without a default) or multi-valued.
pub(super) fn has_unresolved_variable(text: &str, case: &Case) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else {
            return false;
        };
        let inner = after.get(..end).unwrap_or_default();
        rest = after.get(end + 1..).unwrap_or_default();
        if matches!(inner, "*" | "?" | "$") {
            continue;
        }
        let (key, has_default) = match inner.split_once(',') {
            Some((key, _)) => (key.trim(), true),
            None => (inner.trim(), false),
        };
        match case.context_value(key) {
            Some(KeyValue::Single(_)) => {}
            Some(KeyValue::Multi(_)) => return true,
            None if has_default => {}
            None => return true,
        }
    }
    false
}

/// The oracle's reading of a number: the leading decimal digits, after optional white space and
/// sign, with an optional fraction; written back in a form read strictly the same way.
pub(super) fn leading_number(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    let (negative, unsigned) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, trimmed.get(1..).unwrap_or_default()),
        Some(b'+') => (false, trimmed.get(1..).unwrap_or_default()),
        _ => (false, trimmed),
    };
    let integer: String = unsigned.chars().take_while(char::is_ascii_digit).collect();
    let after_integer = unsigned.get(integer.len()..).unwrap_or_default();
    let fraction: String = match after_integer.strip_prefix('.') {
        Some(rest) => rest.chars().take_while(char::is_ascii_digit).collect(),
        None => String::new(),
    };
    if integer.is_empty() && fraction.is_empty() {
        return None;
    }
    let integer = if integer.is_empty() { "0" } else { &integer };
    let sign = if negative { "-" } else { "" };
    if fraction.is_empty() {
        Some(format!("{sign}{integer}"))
    } else {
        Some(format!("{sign}{integer}.{fraction}"))
    }
}

/// The oracle's reading of a date: an all-digit value is milliseconds since 1970, written back
/// as an ISO 8601 time; every other generated form it reads as the evaluator under test does.
pub(super) fn epoch_as_milliseconds(text: &str) -> Option<String> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some(text.to_owned());
    }
    let millis: i64 = text.parse().ok()?;
    Some(iso_from_millis(millis))
}

/// Formats milliseconds since 1970 as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(super) fn iso_from_millis(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let fraction = millis.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
