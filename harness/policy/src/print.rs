//! Prints a policy as canonical JSON that [`Policy::parse`] reads back to an equal policy.
//!
//! The layout is fixed: two spaces of indentation, members in the order `Version`, `Id`,
//! `Statement`, and in each statement `Sid`, `Effect`, `Principal` or `NotPrincipal`, `Action` or
//! `NotAction`, `Resource` or `NotResource`, `Condition`. A principal object keeps its keys in
//! the order written. `Statement` is always an array; an element with one pattern or a
//! condition key with one value is a string, with several an array of strings. Every condition
//! value is a string: `true` and `10` print as `"true"` and `"10"`, which the operators read the
//! same way. A `Condition` element is printed whenever the statement has one, even when it is
//! empty, as `"Condition": {}`.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::condition::Condition;
use crate::document::{Policy, Statement};
use crate::operator::Operator;
use crate::principal::{PrincipalElement, PrincipalType};

impl Display for Policy {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("{\n")?;
        // A document without `Version` stays without it, so it keeps meaning `2008-10-17`.
        if self.version_span.is_some() {
            write!(f, "  \"Version\": ")?;
            write_string(f, self.version.as_str())?;
            f.write_str(",\n")?;
        }
        if let Some(id) = &self.id {
            f.write_str("  \"Id\": ")?;
            write_string(f, id)?;
            f.write_str(",\n")?;
        }
        f.write_str("  \"Statement\": [\n")?;
        for (index, statement) in self.statements.iter().enumerate() {
            write_statement(f, statement)?;
            let separator = if index + 1 < self.statements.len() {
                ",\n"
            } else {
                "\n"
            };
            f.write_str(separator)?;
        }
        f.write_str("  ]\n}\n")
    }
}

fn write_statement(f: &mut Formatter<'_>, statement: &Statement) -> fmt::Result {
    let mut members: Vec<(&str, Value<'_>)> = Vec::new();
    if let Some(sid) = statement.sid() {
        members.push(("Sid", Value::One(sid)));
    }
    let effect = match statement.effect() {
        crate::Effect::Allow => "Allow",
        crate::Effect::Deny => "Deny",
    };
    members.push(("Effect", Value::One(effect)));
    if let Some(principals) = statement.principals() {
        members.push((principals.name(), Value::Principals(principals)));
    }
    let actions = statement.actions();
    members.push((actions.name(), Value::list(actions.texts().collect())));
    if let Some(resources) = statement.resources() {
        members.push((resources.name(), Value::list(resources.texts().collect())));
    }
    // An empty `Condition` is kept: it matters to the restricted SCP language.
    if statement.condition_span().is_some() {
        members.push(("Condition", Value::Conditions(statement.conditions())));
    }

    f.write_str("    {\n")?;
    for (index, (name, value)) in members.iter().enumerate() {
        f.write_str("      ")?;
        write_string(f, name)?;
        f.write_str(": ")?;
        value.write(f)?;
        if index + 1 < members.len() {
            f.write_str(",")?;
        }
        f.write_str("\n")?;
    }
    f.write_str("    }")
}

/// The value of one statement member.
enum Value<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
    Conditions(&'a [Condition]),
    Principals(&'a PrincipalElement),
}

impl<'a> Value<'a> {
    fn list(texts: Vec<&'a str>) -> Value<'a> {
        match texts.as_slice() {
            [only] => Value::One(only),
            _ => Value::Many(texts),
        }
    }

    fn write(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::One(text) => write_string(f, text),
            Value::Many(texts) => write_array(f, texts),
            Value::Conditions(conditions) => write_conditions(f, conditions),
            Value::Principals(principals) => write_principals(f, principals),
        }
    }
}

/// Writes a principal element: `"*"`, or an object with one member per type in the order
/// written.
fn write_principals(f: &mut Formatter<'_>, principals: &PrincipalElement) -> fmt::Result {
    if principals.is_bare_wildcard() {
        return write_string(f, "*");
    }
    let mut groups: Vec<(PrincipalType, Vec<&str>)> = Vec::new();
    for (kind, text) in principals.values() {
        match groups.iter_mut().find(|(group, _)| *group == kind) {
            Some((_, texts)) => texts.push(text),
            None => groups.push((kind, vec![text])),
        }
    }
    f.write_str("{")?;
    for (index, (kind, texts)) in groups.into_iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write_string(f, kind.key())?;
        f.write_str(": ")?;
        Value::list(texts).write(f)?;
    }
    f.write_str("}")
}

/// Writes the `Condition` object: one block per operator, in order of first appearance, each
/// with its keys in order; `{}` when there are no conditions.
fn write_conditions(f: &mut Formatter<'_>, conditions: &[Condition]) -> fmt::Result {
    if conditions.is_empty() {
        return f.write_str("{}");
    }
    let mut blocks: Vec<(Operator, Vec<&Condition>)> = Vec::new();
    for condition in conditions {
        match blocks
            .iter_mut()
            .find(|(operator, _)| *operator == condition.operator())
        {
            Some((_, members)) => members.push(condition),
            None => blocks.push((condition.operator(), vec![condition])),
        }
    }

    f.write_str("{\n")?;
    for (block_index, (operator, members)) in blocks.iter().enumerate() {
        f.write_str("        ")?;
        write_string(f, &operator.to_string())?;
        f.write_str(": {\n")?;
        for (index, condition) in members.iter().enumerate() {
            f.write_str("          ")?;
            write_string(f, condition.key())?;
            f.write_str(": ")?;
            Value::list(condition.values().collect()).write(f)?;
            f.write_str(if index + 1 < members.len() {
                ",\n"
            } else {
                "\n"
            })?;
        }
        f.write_str("        }")?;
        f.write_str(if block_index + 1 < blocks.len() {
            ",\n"
        } else {
            "\n"
        })?;
    }
    f.write_str("      }")
}

fn write_array(f: &mut Formatter<'_>, texts: &[&str]) -> fmt::Result {
    f.write_str("[")?;
    for (index, text) in texts.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write_string(f, text)?;
    }
    f.write_str("]")
}

/// Writes `text` as a JSON string, escaping what JSON requires.
fn write_string(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            _ if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            _ => f.write_char(c)?,
        }
    }
    f.write_str("\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reprint(text: &str) -> (Policy, String) {
        let policy = Policy::parse("test.json", text).unwrap();
        let printed = policy.to_string();
        let again = Policy::parse("printed.json", &printed).unwrap();
        assert_eq!(again, policy, "{printed}");
        assert_eq!(again.to_string(), printed, "printing is stable");
        (policy, printed)
    }

    #[test]
    fn prints_the_canonical_layout() {
        let text = r#"{"Statement": {"Condition": {"Null": {"s3:x-amz-server-side-encryption":
            true}, "StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "AES256"]}},
            "Resource": "*", "Action": "s3:PutObject", "Effect": "Deny", "Sid": "DenyUpload"},
            "Version": "2012-10-17", "Id": "uploads"}"#;
        let (_, printed) = reprint(text);
        let expected = r#"{
  "Version": "2012-10-17",
  "Id": "uploads",
  "Statement": [
    {
      "Sid": "DenyUpload",
      "Effect": "Deny",
      "Action": "s3:PutObject",
      "Resource": "*",
      "Condition": {
        "Null": {
          "s3:x-amz-server-side-encryption": "true"
        },
        "StringNotEquals": {
          "s3:x-amz-server-side-encryption": ["aws:kms", "AES256"]
        }
      }
    }
  ]
}
"#;
        assert_eq!(printed, expected);
    }

    #[test]
    fn keeps_negated_elements_missing_resources_and_escapes() {
        let text = r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "NotResource": "arn:aws:s3:::a"},
            {"Effect": "Deny", "Action": "*", "Condition": {"StringLike":
                {"aws:PrincipalTag/x": ["quote \" back \\ tab \t", "${aws:username}", "\u0001"]}}}
        ]}"#;
        let (_, printed) = reprint(text);
        assert!(
            printed.contains(r#""NotAction": ["iam:*", "sts:*"]"#),
            "{printed}"
        );
        assert!(
            printed.contains(r#""quote \" back \\ tab \t""#),
            "{printed}"
        );
        assert!(printed.contains(r#""\u0001""#), "{printed}");
    }

    #[test]
    fn a_document_without_version_stays_without_it() {
        let (policy, printed) =
            reprint(r#"{"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}"#);
        assert!(!printed.contains("Version"));
        assert_eq!(policy.version(), crate::PolicyVersion::Original);
    }

    #[test]
    fn keeps_an_empty_condition() {
        let with = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*",
            "Resource": "*", "Condition": {}}}"#;
        let without = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Action": "*", "Resource": "*"}}"#;
        let (policy, printed) = reprint(with);
        assert!(printed.contains(r#""Condition": {}"#), "{printed}");
        assert_ne!(policy, Policy::parse("test.json", without).unwrap());

        // The reprinted policy keeps what the restricted SCP language refuses.
        let options = crate::LintOptions {
            language: crate::ScpLanguage::Restricted,
            ..crate::LintOptions::default()
        };
        let again = Policy::parse("printed.json", &printed).unwrap();
        let codes: Vec<&str> = crate::lint_scp_with(&again, &printed, &options)
            .iter()
            .map(crate::LintFinding::code)
            .collect();
        assert!(
            codes.contains(&"scp-restricted-allow-condition"),
            "{codes:?}"
        );
    }

    #[test]
    fn equality_ignores_layout_but_not_content() {
        let compact = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*"}}"#;
        let spaced = "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [{\"Action\": [\"s3:*\"], \
                      \"Effect\": \"Deny\"}]\n}";
        let other = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}"#;
        let parse = |text| Policy::parse("test.json", text).unwrap();
        assert_eq!(parse(compact), parse(spaced));
        assert_ne!(parse(compact), parse(other));
    }
}
