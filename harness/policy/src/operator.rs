//! Condition operator names: a base operator with an optional `ForAllValues:` or `ForAnyValue:`
//! prefix and an optional `IfExists` suffix.
//!
//! IAM User Guide, reference_policies_elements_condition_operators.html lists the operators;
//! reference_policies_condition-single-vs-multi-valued-context-keys.html the set prefixes.

use std::fmt;

/// A condition operator without its prefix and suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each variant is the AWS operator of the same name"
)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// How a value is compared with a policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparison {
    /// Whether `found` compared with `policy` satisfies the comparison.
    pub(crate) fn holds<T: PartialOrd>(self, found: &T, policy: &T) -> bool {
        match self {
            Comparison::Equal => found == policy,
            Comparison::Less => found < policy,
            Comparison::LessOrEqual => found <= policy,
            Comparison::Greater => found > policy,
            Comparison::GreaterOrEqual => found >= policy,
        }
    }
}

/// What kind of values an operator compares, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    StringExact,
    StringIgnoreCase,
    StringLike,
    Numeric(Comparison),
    Date(Comparison),
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

impl BaseOperator {
    /// The form of the values this operator reads, for messages.
    pub(crate) fn value_form(self) -> &'static str {
        match self.kind() {
            Kind::Bool | Kind::Null => "`true` or `false`",
            Kind::Binary => "base64",
            Kind::Ip => "an IP address or a CIDR range",
            Kind::Numeric(_) => "a decimal number such as `5` or `-1.25`, without an exponent",
            Kind::Date(_) => "a date (ISO 8601 or epoch seconds)",
            Kind::StringExact | Kind::StringIgnoreCase | Kind::StringLike | Kind::Arn => "text",
        }
    }

    /// Every base operator.
    pub const ALL: [BaseOperator; 27] = [
        BaseOperator::StringEquals,
        BaseOperator::StringNotEquals,
        BaseOperator::StringEqualsIgnoreCase,
        BaseOperator::StringNotEqualsIgnoreCase,
        BaseOperator::StringLike,
        BaseOperator::StringNotLike,
        BaseOperator::NumericEquals,
        BaseOperator::NumericNotEquals,
        BaseOperator::NumericLessThan,
        BaseOperator::NumericLessThanEquals,
        BaseOperator::NumericGreaterThan,
        BaseOperator::NumericGreaterThanEquals,
        BaseOperator::DateEquals,
        BaseOperator::DateNotEquals,
        BaseOperator::DateLessThan,
        BaseOperator::DateLessThanEquals,
        BaseOperator::DateGreaterThan,
        BaseOperator::DateGreaterThanEquals,
        BaseOperator::Bool,
        BaseOperator::BinaryEquals,
        BaseOperator::IpAddress,
        BaseOperator::NotIpAddress,
        BaseOperator::ArnEquals,
        BaseOperator::ArnLike,
        BaseOperator::ArnNotEquals,
        BaseOperator::ArnNotLike,
        BaseOperator::Null,
    ];

    /// The name as written in policies.
    pub fn name(self) -> &'static str {
        match self {
            BaseOperator::StringEquals => "StringEquals",
            BaseOperator::StringNotEquals => "StringNotEquals",
            BaseOperator::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            BaseOperator::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            BaseOperator::StringLike => "StringLike",
            BaseOperator::StringNotLike => "StringNotLike",
            BaseOperator::NumericEquals => "NumericEquals",
            BaseOperator::NumericNotEquals => "NumericNotEquals",
            BaseOperator::NumericLessThan => "NumericLessThan",
            BaseOperator::NumericLessThanEquals => "NumericLessThanEquals",
            BaseOperator::NumericGreaterThan => "NumericGreaterThan",
            BaseOperator::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            BaseOperator::DateEquals => "DateEquals",
            BaseOperator::DateNotEquals => "DateNotEquals",
            BaseOperator::DateLessThan => "DateLessThan",
            BaseOperator::DateLessThanEquals => "DateLessThanEquals",
            BaseOperator::DateGreaterThan => "DateGreaterThan",
            BaseOperator::DateGreaterThanEquals => "DateGreaterThanEquals",
            BaseOperator::Bool => "Bool",
            BaseOperator::BinaryEquals => "BinaryEquals",
            BaseOperator::IpAddress => "IpAddress",
            BaseOperator::NotIpAddress => "NotIpAddress",
            BaseOperator::ArnEquals => "ArnEquals",
            BaseOperator::ArnLike => "ArnLike",
            BaseOperator::ArnNotEquals => "ArnNotEquals",
            BaseOperator::ArnNotLike => "ArnNotLike",
            BaseOperator::Null => "Null",
        }
    }

    /// Whether the operator is the negation of another one (`StringNotEquals`, `NotIpAddress`,
    /// ...): it holds when no policy value matches, and on an absent key.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }

    /// Whether policy variables are expanded in the operator's values.
    ///
    /// IAM User Guide, reference_policies_elements_condition_operators.html: policy variables
    /// are supported by the string, ARN and `Bool` operators, and by no other.
    // reference_policies_variables.html lists `Boolean` among the operators without variables,
    // contradicting the operator reference. The operator reference is followed: read as text,
    // `${...}` is never `true` or `false`, so a `Bool` value holding a variable could only ever
    // fail to match.
    pub(crate) fn expands_variables(self) -> bool {
        matches!(
            self.kind(),
            Kind::StringExact | Kind::StringIgnoreCase | Kind::StringLike | Kind::Arn | Kind::Bool
        )
    }

    pub(crate) fn kind(self) -> Kind {
        use BaseOperator as Op;
        match self {
            Op::StringEquals | Op::StringNotEquals => Kind::StringExact,
            Op::StringEqualsIgnoreCase | Op::StringNotEqualsIgnoreCase => Kind::StringIgnoreCase,
            Op::StringLike | Op::StringNotLike => Kind::StringLike,
            Op::NumericEquals | Op::NumericNotEquals => Kind::Numeric(Comparison::Equal),
            Op::NumericLessThan => Kind::Numeric(Comparison::Less),
            Op::NumericLessThanEquals => Kind::Numeric(Comparison::LessOrEqual),
            Op::NumericGreaterThan => Kind::Numeric(Comparison::Greater),
            Op::NumericGreaterThanEquals => Kind::Numeric(Comparison::GreaterOrEqual),
            Op::DateEquals | Op::DateNotEquals => Kind::Date(Comparison::Equal),
            Op::DateLessThan => Kind::Date(Comparison::Less),
            Op::DateLessThanEquals => Kind::Date(Comparison::LessOrEqual),
            Op::DateGreaterThan => Kind::Date(Comparison::Greater),
            Op::DateGreaterThanEquals => Kind::Date(Comparison::GreaterOrEqual),
            Op::Bool => Kind::Bool,
            Op::BinaryEquals => Kind::Binary,
            Op::IpAddress | Op::NotIpAddress => Kind::Ip,
            Op::ArnEquals | Op::ArnLike | Op::ArnNotEquals | Op::ArnNotLike => Kind::Arn,
            Op::Null => Kind::Null,
        }
    }

    fn from_name(name: &str) -> Option<BaseOperator> {
        BaseOperator::ALL
            .into_iter()
            .find(|base| base.name() == name)
    }
}

/// How a condition treats the values of a multi-valued key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`: every value of the key must match; true when the key is absent or empty.
    ForAllValues,
    /// `ForAnyValue:`: at least one value of the key must match; false when it is absent.
    ForAnyValue,
}

/// A full condition operator, e.g. `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// The `ForAllValues:` or `ForAnyValue:` prefix, if any.
    pub set: Option<SetQualifier>,
    /// The operator proper.
    pub base: BaseOperator,
    /// Whether the `IfExists` suffix is present: an absent key then satisfies the condition.
    pub if_exists: bool,
}

/// Why an operator name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OperatorError {
    /// Not an operator; holds a known name that differs only in letter case or prefix spelling.
    Unknown { suggestion: Option<String> },
    /// `NullIfExists` and the like: an existence test cannot be conditional on existence.
    NullWithIfExists,
    /// `ForAllValues:Null` and the like.
    NullWithSet,
}

impl Operator {
    /// Reads an operator name; names are case-sensitive.
    pub(crate) fn parse(name: &str) -> Result<Operator, OperatorError> {
        let (set, rest) = split_set_qualifier(name);
        let (rest, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let Some(base) = BaseOperator::from_name(rest) else {
            return Err(OperatorError::Unknown {
                suggestion: suggest(name),
            });
        };
        if base == BaseOperator::Null && if_exists {
            return Err(OperatorError::NullWithIfExists);
        }
        if base == BaseOperator::Null && set.is_some() {
            return Err(OperatorError::NullWithSet);
        }
        Ok(Operator {
            set,
            base,
            if_exists,
        })
    }
}

fn split_set_qualifier(name: &str) -> (Option<SetQualifier>, &str) {
    if let Some(rest) = name.strip_prefix("ForAllValues:") {
        (Some(SetQualifier::ForAllValues), rest)
    } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
        (Some(SetQualifier::ForAnyValue), rest)
    } else {
        (None, name)
    }
}

/// A correctly spelled operator that `name` differs from only in letter case or in the plural
/// of the set prefix (`ForAnyValues:`), which are the common slips.
fn suggest(name: &str) -> Option<String> {
    let lowercase = name.to_ascii_lowercase();
    let (prefix, rest) = if let Some(rest) = lowercase.strip_prefix("forallvalues:") {
        ("ForAllValues:", rest)
    } else if let Some(rest) = lowercase
        .strip_prefix("foranyvalue:")
        .or_else(|| lowercase.strip_prefix("foranyvalues:"))
    {
        ("ForAnyValue:", rest)
    } else {
        ("", lowercase.as_str())
    };
    let (rest, suffix) = match rest.strip_suffix("ifexists") {
        Some(base) => (base, "IfExists"),
        None => (rest, ""),
    };
    let base = BaseOperator::ALL
        .into_iter()
        .find(|base| base.name().eq_ignore_ascii_case(rest))?;
    let suggestion = format!("{prefix}{}{suffix}", base.name());
    Operator::parse(&suggestion).ok().map(|_| suggestion)
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.set {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for base in BaseOperator::ALL {
            let parsed = Operator::parse(base.name()).unwrap();
            assert_eq!(parsed.base, base);
            assert_eq!(parsed.to_string(), base.name());
        }
    }

    #[test]
    fn prefixes_and_suffix() {
        let operator = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(operator.set, Some(SetQualifier::ForAnyValue));
        assert_eq!(operator.base, BaseOperator::StringLike);
        assert!(operator.if_exists);
        assert_eq!(operator.to_string(), "ForAnyValue:StringLikeIfExists");
    }

    #[test]
    fn refuses_unknown_and_meaningless_names() {
        let unknown = Operator::parse("stringequals");
        assert_eq!(
            unknown,
            Err(OperatorError::Unknown {
                suggestion: Some("StringEquals".into())
            })
        );
        let plural = Operator::parse("ForAnyValues:StringEquals");
        assert_eq!(
            plural,
            Err(OperatorError::Unknown {
                suggestion: Some("ForAnyValue:StringEquals".into())
            })
        );
        assert_eq!(
            Operator::parse("StringMatches"),
            Err(OperatorError::Unknown { suggestion: None })
        );
        assert_eq!(
            Operator::parse("NullIfExists"),
            Err(OperatorError::NullWithIfExists)
        );
        assert_eq!(
            Operator::parse("ForAllValues:Null"),
            Err(OperatorError::NullWithSet)
        );
    }
}
