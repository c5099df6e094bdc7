//! Reading TOML tables strictly: unknown fields, missing fields and wrong types all become
//! problems, and reading goes on so that one pass finds every problem of a file.
//!
//! Serde's derived deserializers stop at the first problem, so the scenario format is read
//! from the parsed, spanned document instead.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue};

use super::error::Problem;
use super::error::ScenarioErrorKind::{InvalidValue, MissingField, UnknownField};

/// The problems found so far in one file.
pub(crate) type Problems = Vec<Problem>;

/// A key of a TOML table with its span.
pub(crate) type Key<'i> = Spanned<DeString<'i>>;

/// A value of a TOML document with its span.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// A table whose unknown fields have been reported.
pub(crate) struct Table<'a, 'i> {
    entries: &'a DeTable<'i>,
    span: Range<usize>,
    /// How messages name the table, e.g. "`[restriction]`".
    name: &'a str,
}

impl<'a, 'i> Table<'a, 'i> {
    /// Reads `value` as the table `name` with the fields `allowed`; `None` if it is no table.
    pub(crate) fn read(
        value: &'a Value<'i>,
        name: &'a str,
        allowed: &[&str],
        problems: &mut Problems,
    ) -> Option<Self> {
        let Some(entries) = value.get_ref().as_table() else {
            problems.push(wrong_type(value, name, "a table"));
            return None;
        };

        for (key, _) in entries.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                problems.push(unknown_field(key, name, allowed));
            }
        }
        Some(Self {
            entries,
            span: value.span(),
            name,
        })
    }

    /// The table's span: its header, or the whole inline table.
    pub(crate) fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The value of `field`, if present.
    pub(crate) fn get(&self, field: &str) -> Option<&'a Value<'i>> {
        self.entries
            .iter()
            .find(|(key, _)| key.get_ref() == field)
            .map(|(_, value)| value)
    }

    /// The value of `field`, reporting its absence.
    pub(crate) fn required(&self, field: &str, problems: &mut Problems) -> Option<&'a Value<'i>> {
        let value = self.get(field);
        if value.is_none() {
            problems.push(self.missing(field));
        }
        value
    }

    /// The string `field`, reporting its absence, a wrong type or an empty string.
    pub(crate) fn required_string(
        &self,
        field: &str,
        problems: &mut Problems,
    ) -> Option<Spanned<String>> {
        let value = self.required(field, problems)?;
        let text = string(value, field, problems)?;
        if text.get_ref().trim().is_empty() {
            problems.push(Problem::new(
                InvalidValue,
                text.span(),
                format!("`{field}` must not be empty"),
                "empty",
            ));
            return None;
        }
        Some(text)
    }

    /// The optional boolean `field`, reporting a wrong type.
    pub(crate) fn optional_bool(&self, field: &str, problems: &mut Problems) -> Option<bool> {
        let value = self.get(field)?;
        let flag = value.get_ref().as_bool();
        if flag.is_none() {
            problems.push(wrong_type(value, &format!("`{field}`"), "a boolean"));
        }
        flag
    }

    /// The optional array `field`, reporting a wrong type.
    pub(crate) fn optional_array(
        &self,
        field: &str,
        problems: &mut Problems,
    ) -> Option<(&'a DeArray<'i>, Range<usize>)> {
        let value = self.get(field)?;
        array(value, &format!("`{field}`"), problems)
    }

    fn missing(&self, field: &str) -> Problem {
        let place = if self.span.is_empty() {
            "the file"
        } else {
            "this table"
        };
        Problem::new(
            MissingField,
            self.span.clone(),
            format!("missing field `{field}` in {name}", name = self.name),
            format!("{place} needs `{field}`"),
        )
        .help(format!("add `{field} = ...` to {name}", name = self.name))
    }
}

/// `value`, the field `field`, as a string, reporting a wrong type.
pub(crate) fn string(
    value: &Value<'_>,
    field: &str,
    problems: &mut Problems,
) -> Option<Spanned<String>> {
    match value.get_ref().as_str() {
        Some(text) => Some(Spanned::new(value.span(), text.to_owned())),
        None => {
            problems.push(wrong_type(value, &format!("`{field}`"), "a string"));
            None
        }
    }
}

/// `value` as an array, reporting a wrong type; `what` names it in the message.
pub(crate) fn array<'a, 'i>(
    value: &'a Value<'i>,
    what: &str,
    problems: &mut Problems,
) -> Option<(&'a DeArray<'i>, Range<usize>)> {
    match value.get_ref().as_array() {
        Some(items) => Some((items, value.span())),
        None => {
            problems.push(wrong_type(value, what, "an array"));
            None
        }
    }
}

/// A problem saying `what` must be `expected` but `value` is something else.
pub(crate) fn wrong_type(value: &Value<'_>, what: &str, expected: &str) -> Problem {
    let found = with_article(value.get_ref().type_str());
    Problem::new(
        InvalidValue,
        value.span(),
        format!("{what} must be {expected}, found {found}"),
        found.clone(),
    )
}

fn unknown_field(key: &Key<'_>, table: &str, allowed: &[&str]) -> Problem {
    let expected = allowed
        .iter()
        .map(|field| format!("`{field}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Problem::new(
        UnknownField,
        key.span(),
        format!("unknown field `{key}` in {table}", key = key.get_ref()),
        "unknown field",
    )
    .help(format!("expected one of {expected}"))
}

/// A TOML type name with its indefinite article, e.g. "an integer".
pub(crate) fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}
