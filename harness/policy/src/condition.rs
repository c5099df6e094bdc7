//! Conditions: one operator applied to one condition key with one or more policy values.
//!
//! The rules below come from the IAM User Guide, reference_policies_elements_condition.html
//! (several values under one key are ORed; several keys and operators are ANDed by the
//! statement), reference_policies_elements_condition_operators.html (negated operators, the
//! `...IfExists` suffix, `Null`, absent keys) and
//! reference_policies_condition-single-vs-multi-valued-context-keys.html (`ForAllValues:` and
//! `ForAnyValue:`). The outcome on an absent key, written out:
//!
//! | operator                               | key absent |
//! |----------------------------------------|------------|
//! | any `...IfExists`                      | true       |
//! | `ForAllValues:...`                     | true       |
//! | `ForAnyValue:...`                      | false      |
//! | negated (`StringNotEquals`, ...)       | true       |
//! | any other (`Bool`, `StringEquals`,...) | false      |
//! | `Null` with `true` / with `false`      | true / false |
//!
//! A key present without a value, that is with no values or with only empty strings, is a null
//! data set: `Null` treats it as absent, the set prefixes as an empty set (`ForAllValues` true,
//! `ForAnyValue` false, `IfExists` or not, since the key is present), other operators compare
//! it as it is. IAM User Guide,
//! reference_policies_condition-single-vs-multi-valued-context-keys.html: `ForAllValues` is also
//! true when the key's value resolves to a null data set, an empty string for one;
//! reference_policies_condition_examples-multi-valued-context-keys.html: `Null` with `false`
//! keeps a missing key and a key with empty values from satisfying `ForAllValues`.

use std::slice;

use miette::SourceSpan;

use crate::operator::{BaseOperator, Kind, Operator, SetQualifier};
use crate::pattern::{Glob, PatternText, ResourceGlob, Spanning};
use crate::request::{Context, ContextValue};
use crate::values::{self, Network};
use crate::variables::{self, Template};

/// One condition: `"Operator": { "key": [values] }` reduced to one key.
///
/// Conditions are equal when operator, key as written and values as written are; spans do not
/// count.
#[derive(Debug, Clone)]
pub struct Condition {
    operator: Operator,
    key: String,
    key_lowercase: String,
    values: Vec<ConditionValue>,
    operator_span: SourceSpan,
    key_span: SourceSpan,
}

/// A policy value as written and in the form its operator compares.
#[derive(Debug, Clone)]
struct ConditionValue {
    text: String,
    operand: Operand,
    span: SourceSpan,
}

#[derive(Debug, Clone)]
enum Operand {
    /// Compiled when the policy was parsed.
    Ready(Prepared),
    /// Holds policy variables: compiled for each request once they are resolved.
    Variables(Template),
}

/// A policy value read for its operator; `None` where the text cannot be read that way.
#[derive(Debug, Clone)]
enum Prepared {
    Text(String),
    Glob(Glob),
    Number(Option<f64>),
    Date(Option<i128>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
    Network(Option<Network>),
    Arn(ResourceGlob),
}

/// One policy value of a condition as parsed, before it is compiled.
#[derive(Debug, Clone)]
pub(crate) struct RawValue {
    pub(crate) text: String,
    pub(crate) span: SourceSpan,
}

impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        self.operator == other.operator && self.key == other.key && self.values().eq(other.values())
    }
}

impl Eq for Condition {}

impl Condition {
    /// Compiles a condition; variables are expanded only when `expand_variables` is set
    /// (policy version 2012-10-17).
    pub(crate) fn new(
        operator: Operator,
        key: (String, SourceSpan),
        values: Vec<RawValue>,
        operator_span: SourceSpan,
        expand_variables: bool,
    ) -> Condition {
        let (key, key_span) = key;
        let values = values
            .into_iter()
            .map(|raw| ConditionValue {
                operand: compile(operator.base, &raw.text, expand_variables),
                text: raw.text,
                span: raw.span,
            })
            .collect();
        Condition {
            operator,
            key_lowercase: key.to_ascii_lowercase(),
            key,
            values,
            operator_span,
            key_span,
        }
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The condition key as written.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The policy values as written (booleans and numbers as their JSON text).
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> {
        self.values.iter().map(|value| value.text.as_str())
    }

    /// The span of the operator name in the source.
    pub fn operator_span(&self) -> SourceSpan {
        self.operator_span
    }

    /// The span of the key name in the source.
    pub fn key_span(&self) -> SourceSpan {
        self.key_span
    }

    /// The spans of the values in the source, in order.
    pub fn value_spans(&self) -> impl ExactSizeIterator<Item = SourceSpan> + '_ {
        self.values.iter().map(|value| value.span)
    }

    /// The policy values the operator cannot read (a number that is not one, a date, an IP
    /// network, base64, or `true`/`false` for `Bool` and `Null`), with their spans.
    pub(crate) fn unreadable_values(&self) -> impl Iterator<Item = (&str, SourceSpan)> {
        self.values
            .iter()
            .filter(|value| match &value.operand {
                Operand::Ready(prepared) => prepared.is_unreadable(),
                Operand::Variables(_) => false,
            })
            .map(|value| (value.text.as_str(), value.span))
    }

    /// The policy values for an explanation: each in backticks, and for one with variables
    /// what it resolved to in `context`, or that it could not be resolved.
    pub(crate) fn describe_values(&self, context: &Context) -> Vec<String> {
        self.values
            .iter()
            .map(|value| match &value.operand {
                Operand::Ready(_) => format!("`{}`", value.text),
                Operand::Variables(template) => match template.resolve(context) {
                    Some(pieces) => {
                        format!("`{}` = `{}`", value.text, variables::display(&pieces))
                    }
                    None => format!("`{}` (unresolved)", value.text),
                },
            })
            .collect()
    }

    /// Whether this condition reads the request's value of its key as no value at all: `Null`
    /// and the set prefixes do so with a null data set (see the top of this module).
    pub fn reads_as_no_value(&self, context: &Context) -> bool {
        let treats_null_as_absent =
            self.operator.base == BaseOperator::Null || self.operator.set.is_some();
        treats_null_as_absent && self.found(context).is_some_and(is_null_data_set)
    }

    /// The values of `found` this condition's operator cannot read (a date that is not one,
    /// say), which match no policy value.
    pub(crate) fn unreadable_found<'a>(&self, found: &'a ContextValue) -> Vec<&'a str> {
        let kind = self.operator.base.kind();
        if matches!(
            kind,
            Kind::StringExact | Kind::StringIgnoreCase | Kind::StringLike | Kind::Arn | Kind::Null
        ) {
            return Vec::new();
        }
        let values = match found {
            ContextValue::Single(value) => slice::from_ref(value),
            ContextValue::Multi(values) => values.as_slice(),
        };
        values
            .iter()
            .filter(|value| prepare_text(kind, value).is_unreadable())
            .map(String::as_str)
            .collect()
    }

    /// The request's value of the key, if present.
    pub fn found<'a>(&self, context: &'a Context) -> Option<&'a ContextValue> {
        context.get_lowercase(&self.key_lowercase)
    }

    /// Whether the condition holds for a request with this context.
    pub fn evaluate(&self, context: &Context) -> bool {
        let found = self.found(context);
        if self.operator.base == BaseOperator::Null {
            return self.evaluate_null(found.is_some_and(|found| !is_null_data_set(found)));
        }
        let Some(found) = found else {
            return self.holds_when_absent();
        };
        // A key present with a null data set is an empty set to the set prefixes: every value
        // (of none) matches, and no value does. It is present all the same, so `IfExists` does
        // not make it true.
        match self.operator.set {
            Some(SetQualifier::ForAllValues) if is_null_data_set(found) => return true,
            Some(SetQualifier::ForAnyValue) if is_null_data_set(found) => return false,
            _ => {}
        }

        let negated = self.operator.base.is_negated();
        let found_values = match found {
            ContextValue::Single(value) => slice::from_ref(value),
            ContextValue::Multi(values) => values.as_slice(),
        };
        let mut satisfied = found_values
            .iter()
            .map(|value| self.value_satisfies(value, context));
        match (self.operator.set, found) {
            (Some(SetQualifier::ForAllValues), _) => satisfied.all(|holds| holds),
            (Some(SetQualifier::ForAnyValue), _) => satisfied.any(|holds| holds),
            (None, ContextValue::Single(_)) => satisfied.any(|holds| holds),
            // Limitation: AWS does not specify a single-valued operator on a multi-valued key.
            // Here a plain operator holds when any value of the key matches, and a negated one
            // when no value matches, as if the key's values were tried one at a time.
            (None, ContextValue::Multi(_)) if negated => satisfied.all(|holds| holds),
            (None, ContextValue::Multi(_)) => satisfied.any(|holds| holds),
        }
    }

    /// The outcome when the key is absent, following the table at the top of this module.
    fn holds_when_absent(&self) -> bool {
        if self.operator.if_exists {
            return true;
        }
        match self.operator.set {
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => false,
            None => self.operator.base.is_negated(),
        }
    }

    /// `Null`: `true` asks that the key be absent, `false` that it be present with a value; a
    /// policy value that is neither never matches.
    ///
    /// IAM User Guide, reference_policies_condition_examples-multi-valued-context-keys.html:
    /// `Null` with `false` keeps a missing key and a key with empty values from satisfying
    /// `ForAllValues`, so a multi-valued key with no values counts as null here.
    fn evaluate_null(&self, present: bool) -> bool {
        self.values.iter().any(|value| match &value.operand {
            Operand::Ready(Prepared::Bool(Some(wants_absent))) => *wants_absent != present,
            Operand::Ready(_) | Operand::Variables(_) => false,
        })
    }

    /// Whether one value of the key satisfies the operator against the policy values.
    ///
    /// A plain operator holds when some policy value matches. A negated one holds when the
    /// value could be compared with every policy value and none matched: a value the operator
    /// cannot read never matches either way. A variable that cannot be resolved is compared and
    /// matches nothing, so a negated operator holds against it.
    fn value_satisfies(&self, found: &str, context: &Context) -> bool {
        let negated = self.operator.base.is_negated();
        let mut incomparable = false;
        for value in &self.values {
            match self.compare(value, found, context) {
                Some(true) => return !negated,
                Some(false) => {}
                None => incomparable = true,
            }
        }
        negated && !incomparable
    }

    /// Whether `found` matches one policy value, or `None` if they cannot be compared.
    fn compare(&self, value: &ConditionValue, found: &str, context: &Context) -> Option<bool> {
        let kind = self.operator.base.kind();
        match &value.operand {
            Operand::Ready(prepared) => compare_prepared(kind, prepared, found),
            Operand::Variables(template) => {
                // IAM User Guide, reference_policies_variables.html (policy variables with no
                // value): the value is effectively null, nothing is equal to or like it, and
                // inverted operators such as `StringNotEquals` match against it.
                let Some(pieces) = template.resolve(context) else {
                    return Some(false);
                };
                compare_prepared(kind, &prepare(kind, &pieces), found)
            }
        }
    }
}

impl Prepared {
    fn is_unreadable(&self) -> bool {
        match self {
            Prepared::Number(number) => number.is_none(),
            Prepared::Date(date) => date.is_none(),
            Prepared::Bool(boolean) => boolean.is_none(),
            Prepared::Bytes(bytes) => bytes.is_none(),
            Prepared::Network(network) => network.is_none(),
            Prepared::Text(_) | Prepared::Glob(_) | Prepared::Arn(_) => false,
        }
    }
}

fn compile(base: BaseOperator, text: &str, expand_variables: bool) -> Operand {
    if expand_variables
        && base.expands_variables()
        && let Some(template) = Template::parse(text)
    {
        return Operand::Variables(template);
    }
    Operand::Ready(prepare(base.kind(), &[PatternText::Wild(text)]))
}

fn prepare(kind: Kind, pieces: &[PatternText<'_>]) -> Prepared {
    match kind {
        Kind::StringLike => {
            Prepared::Glob(Glob::from_pieces(pieces, crate::pattern::Case::Sensitive))
        }
        Kind::Arn => Prepared::Arn(ResourceGlob::from_pieces(pieces, Spanning::Never)),
        _ => prepare_text(kind, &variables::join(pieces)),
    }
}

fn prepare_text(kind: Kind, text: &str) -> Prepared {
    match kind {
        Kind::Numeric(_) => Prepared::Number(values::number(text)),
        Kind::Date(_) => Prepared::Date(values::date(text)),
        Kind::Bool | Kind::Null => Prepared::Bool(values::boolean(text)),
        Kind::Binary => Prepared::Bytes(values::base64(text)),
        Kind::Ip => Prepared::Network(Network::parse(text)),
        Kind::StringExact | Kind::StringIgnoreCase | Kind::StringLike | Kind::Arn => {
            Prepared::Text(text.to_owned())
        }
    }
}

fn compare_prepared(kind: Kind, prepared: &Prepared, found: &str) -> Option<bool> {
    match (prepared, kind) {
        (Prepared::Text(text), Kind::StringIgnoreCase) => Some(equal_ignoring_case(found, text)),
        (Prepared::Text(text), _) => Some(found == text),
        (Prepared::Glob(glob), _) => Some(glob.matches(found, crate::pattern::Case::Sensitive)),
        (Prepared::Number(policy), Kind::Numeric(comparison)) => {
            let (policy, found) = ((*policy)?, values::number(found)?);
            Some(comparison.holds(&found, &policy))
        }
        (Prepared::Date(policy), Kind::Date(comparison)) => {
            let (policy, found) = ((*policy)?, values::date(found)?);
            Some(comparison.holds(&found, &policy))
        }
        (Prepared::Bool(policy), _) => Some((*policy)? == values::boolean(found)?),
        (Prepared::Bytes(policy), _) => Some(*policy.as_ref()? == values::base64(found)?),
        (Prepared::Network(policy), _) => Some(policy.as_ref()?.contains(values::address(found)?)),
        (Prepared::Arn(pattern), _) => {
            let colons = found.bytes().filter(|byte| *byte == b':').take(5).count();
            let is_arn = colons == 5 && found.starts_with("arn:");
            (is_arn || !pattern.is_arn()).then(|| pattern.matches(found))
        }
        (Prepared::Number(_) | Prepared::Date(_), _) => None,
    }
}

/// Whether a key present in the request has a value: a multi-valued key may have none.
/// Whether a key's value is a null data set: no values, or only empty strings (see the top of
/// this module).
fn is_null_data_set(value: &ContextValue) -> bool {
    match value {
        ContextValue::Single(value) => value.is_empty(),
        ContextValue::Multi(values) => values.iter().all(String::is_empty),
    }
}

/// Compares after Unicode lowercasing, without allocating.
fn equal_ignoring_case(left: &str, right: &str) -> bool {
    // ASCII text, the common case, folds byte by byte.
    if left.is_ascii() && right.is_ascii() {
        return left.eq_ignore_ascii_case(right);
    }
    left.chars()
        .flat_map(char::to_lowercase)
        .eq(right.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests;
