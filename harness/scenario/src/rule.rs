//! Rules over a case's parameters: when a restriction denies a call, and which policy gaps are
//! accepted.
//!
//! The language has comparisons (`p == v`, `p != v`, `p in [..]`, `p not in [..]`,
//! `p is absent`, `p is present`, `p like "glob*"`) joined by `and`, `or`, `not` and
//! parentheses. A parameter that is absent from a case makes `==`, `in` and `like` false and
//! `!=` and `not in` true.

mod parse;

use std::fmt;
use std::ops::Range;

pub(crate) use parse::RuleSyntaxError;

use crate::{ParamValue, Params};

/// A parsed rule, kept together with its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    source: String,
    expr: Expr,
}

impl Rule {
    /// Parses `source`; spans in the error are byte offsets into `source`.
    pub(crate) fn parse(source: &str) -> Result<Rule, RuleSyntaxError> {
        let expr = parse::parse(source)?;
        Ok(Rule {
            source: source.to_owned(),
            expr,
        })
    }

    /// The rule as written in the scenario file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the rule holds for a case with `params`.
    pub fn matches(&self, params: &Params) -> bool {
        self.expr.matches(params)
    }

    /// Every comparison in the rule, in source order.
    pub(crate) fn comparisons(&self) -> Vec<&Comparison> {
        let mut found = Vec::new();
        self.expr.collect_comparisons(&mut found);
        found
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

/// A rule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    Comparison(Comparison),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    fn matches(&self, params: &Params) -> bool {
        match self {
            Expr::Comparison(comparison) => comparison.matches(params),
            Expr::Not(inner) => !inner.matches(params),
            Expr::And(operands) => operands.iter().all(|operand| operand.matches(params)),
            Expr::Or(operands) => operands.iter().any(|operand| operand.matches(params)),
        }
    }

    fn collect_comparisons<'a>(&'a self, found: &mut Vec<&'a Comparison>) {
        match self {
            Expr::Comparison(comparison) => found.push(comparison),
            Expr::Not(inner) => inner.collect_comparisons(found),
            Expr::And(operands) | Expr::Or(operands) => {
                for operand in operands {
                    operand.collect_comparisons(found);
                }
            }
        }
    }
}

/// One test of one parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// The parameter's name.
    pub(crate) param: String,
    /// Where the name is in the rule.
    pub(crate) param_span: Range<usize>,
    pub(crate) test: Test,
}

impl Comparison {
    fn matches(&self, params: &Params) -> bool {
        let value = params.get(&self.param);
        match &self.test {
            Test::Equals(literal) => value == Some(&literal.value),
            Test::NotEquals(literal) => value != Some(&literal.value),
            Test::In(literals) => is_in(value, literals),
            Test::NotIn(literals) => !is_in(value, literals),
            Test::IsAbsent => value.is_none(),
            Test::IsPresent => value.is_some(),
            Test::Like(pattern) => match value {
                Some(ParamValue::Str(text)) => glob_matches(&pattern.text, text),
                _ => false,
            },
        }
    }

    /// The literal values the comparison holds, each with its span.
    pub(crate) fn literals(&self) -> &[Literal] {
        match &self.test {
            Test::Equals(literal) | Test::NotEquals(literal) => std::slice::from_ref(literal),
            Test::In(literals) | Test::NotIn(literals) => literals,
            Test::IsAbsent | Test::IsPresent | Test::Like(_) => &[],
        }
    }
}

fn is_in(value: Option<&ParamValue>, literals: &[Literal]) -> bool {
    value.is_some_and(|value| literals.iter().any(|literal| &literal.value == value))
}

/// What a comparison tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Test {
    Equals(Literal),
    NotEquals(Literal),
    In(Vec<Literal>),
    NotIn(Vec<Literal>),
    IsAbsent,
    IsPresent,
    Like(Pattern),
}

/// A value written in a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    pub(crate) value: ParamValue,
    pub(crate) span: Range<usize>,
}

/// A glob pattern of a `like` test: `*` matches any run of characters, `?` exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    pub(crate) text: String,
}

/// Whether `text` matches the glob `pattern` as a whole.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut at_pattern, mut at_text) = (0, 0);
    // Where the last `*` was and the text position it currently stands for; on a mismatch the
    // star absorbs one more character and matching resumes after it.
    let mut last_star: Option<(usize, usize)> = None;

    while let Some(&current) = text.get(at_text) {
        match pattern.get(at_pattern) {
            Some('*') => {
                last_star = Some((at_pattern, at_text));
                at_pattern += 1;
            }
            Some(&wanted) if wanted == '?' || wanted == current => {
                at_pattern += 1;
                at_text += 1;
            }
            _ => match last_star {
                Some((star, star_text)) => {
                    at_pattern = star + 1;
                    at_text = star_text + 1;
                    last_star = Some((star, star_text + 1));
                }
                None => return false,
            },
        }
    }

    pattern
        .get(at_pattern..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, ParamValue)]) -> Params {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    fn holds(rule: &str, pairs: &[(&str, ParamValue)]) -> bool {
        Rule::parse(rule).unwrap().matches(&params(pairs))
    }

    #[test]
    fn comparisons_of_present_parameters() {
        assert!(holds("encrypted == true", &[("encrypted", true.into())]));
        assert!(!holds("encrypted == true", &[("encrypted", false.into())]));
        assert!(holds("encrypted != true", &[("encrypted", false.into())]));
        assert!(holds("size == -3", &[("size", (-3_i64).into())]));
        assert!(holds(
            r#"sse in ["AES256", "aws:kms"]"#,
            &[("sse", "aws:kms".into())]
        ));
        assert!(holds(
            r#"sse not in ["AES256", "aws:kms"]"#,
            &[("sse", "x".into())]
        ));
        assert!(holds("sse is present", &[("sse", "x".into())]));
        assert!(!holds("sse is absent", &[("sse", "x".into())]));
    }

    #[test]
    fn an_absent_parameter_fails_equality_and_passes_inequality() {
        assert!(!holds("encrypted == true", &[]));
        assert!(holds("encrypted != true", &[]));
        assert!(!holds("sse in [\"AES256\"]", &[]));
        assert!(holds("sse not in [\"AES256\"]", &[]));
        assert!(!holds("engine like \"*\"", &[]));
        assert!(holds("sse is absent", &[]));
        assert!(!holds("sse is present", &[]));
    }

    #[test]
    fn connectives_bind_not_then_and_then_or() {
        let case = [("a", true.into()), ("b", false.into())];
        assert!(holds("a == true or b == true and b == true", &case));
        assert!(!holds("(a == true or b == true) and b == true", &case));
        assert!(holds("not b == true and a == true", &case));
        assert!(!holds("not (b == false and a == true)", &case));
        assert!(holds("not not a == true", &case));
    }

    #[test]
    fn values_of_another_type_never_equal() {
        assert!(!holds("size == 1", &[("size", "1".into())]));
        assert!(!holds("engine like \"1\"", &[("engine", 1_i64.into())]));
    }

    #[test]
    fn globs_match_whole_strings() {
        assert!(glob_matches("aurora*", "aurora-mysql"));
        assert!(glob_matches("aurora*", "aurora"));
        assert!(!glob_matches("aurora*", "mysql-aurora"));
        assert!(glob_matches("*sql", "aurora-postgresql"));
        assert!(glob_matches("a*b*c", "axxbyyc"));
        assert!(!glob_matches("a*b*c", "axxbyy"));
        assert!(glob_matches("gp?", "gp3"));
        assert!(!glob_matches("gp?", "gp"));
        assert!(glob_matches("", ""));
        assert!(!glob_matches("", "x"));
        assert!(glob_matches("**", ""));
        assert!(glob_matches("é?", "éü"));
    }

    #[test]
    fn a_rule_displays_and_serializes_as_written() {
        let rule = Rule::parse("encrypted  !=  true").unwrap();
        assert_eq!(rule.to_string(), "encrypted  !=  true");
        assert_eq!(
            serde_json::to_string(&rule).unwrap(),
            "\"encrypted  !=  true\""
        );
    }

    #[test]
    fn comparisons_are_listed_in_source_order() {
        let rule = Rule::parse("a == 1 or not (b is absent and c in [1, 2])").unwrap();
        let names: Vec<_> = rule
            .comparisons()
            .iter()
            .map(|c| c.param.as_str())
            .collect();
        assert_eq!(names, vec!["a", "b", "c"]);
        let literals: Vec<_> = rule
            .comparisons()
            .iter()
            .flat_map(|c| c.literals())
            .map(|l| l.span.clone())
            .collect();
        assert_eq!(literals, vec![5..6, 37..38, 40..41]);
    }
}
