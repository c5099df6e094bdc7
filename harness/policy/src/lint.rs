//! Checks a parsed policy against the rules AWS Organizations applies to SCPs, and against
//! mistakes that make statements silently match nothing or everything.
//!
//! Grammar errors are refused by [`Policy::parse`] already; these findings concern a valid
//! document: errors that Organizations would refuse, and warnings about likely mistakes.

use std::collections::HashSet;
use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceSpan};

use crate::document::{Effect, Policy, PolicyVersion, Statement};
use crate::error::{LineIndex, SourceLocation, SourceProblem, span};
use crate::operator::{BaseOperator, Operator, SetQualifier};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LintSeverity {
    /// AWS Organizations would refuse the policy.
    Error,
    /// The policy is accepted but probably does not do what was meant.
    Warning,
}

/// The SCP language AWS Organizations accepts where the policy is to be attached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ScpLanguage {
    /// The full IAM policy language: `Condition`, individual resource ARNs and `NotAction` in
    /// `Allow` statements, wildcards at the beginning or in the middle of an action, and
    /// `NotResource` in `Allow` and `Deny` statements. Sources: the AWS Security Blog post
    /// "Unlock new possibilities: AWS Organizations service control policy now supports full IAM
    /// language" and the AWS announcement of 19 September 2025, which make it available in the
    /// AWS commercial and AWS GovCloud (US) Regions.
    #[default]
    Full,
    /// The earlier SCP language, still the one that applies where the full language is not
    /// available, such as partitions other than those named under [`ScpLanguage::Full`].
    /// Source: the AWS Organizations User Guide, orgs_manage_policies_scps_syntax.html, as it
    /// read before the full language: an `Allow` statement has only `Action` with
    /// `"Resource": "*"` (no `Condition`, no `NotAction`, no other `Resource`, no
    /// `NotResource`), and `*` or `?` in `Action` or `NotAction` stands alone or ends the
    /// string. The blog post above names `NotResource` as new for `Deny` statements too, so it
    /// is refused under either effect.
    Restricted,
}

/// Settings of [`lint_scp_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOptions {
    /// The largest SCP size in characters; AWS Organizations User Guide,
    /// orgs_reference_limits.html: 5,120 characters by default.
    pub max_size: usize,
    /// The SCP language to check against; [`ScpLanguage::Full`] by default.
    pub language: ScpLanguage,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            max_size: 5120,
            language: ScpLanguage::default(),
        }
    }
}

/// One finding about a policy: a rule's code and severity, and the problem with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintFinding {
    code: &'static str,
    severity: LintSeverity,
    problem: SourceProblem,
}

impl LintFinding {
    /// A stable identifier of the rule, e.g. `scp-size`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// How serious the finding is.
    pub fn severity(&self) -> LintSeverity {
        self.severity
    }

    /// What is wrong, as one lowercase fragment.
    pub fn message(&self) -> &str {
        self.problem.message()
    }

    /// The span of the source the finding is about.
    pub fn span(&self) -> SourceSpan {
        self.problem.span()
    }

    /// The text written under the span.
    pub fn label(&self) -> &str {
        self.problem.label()
    }

    /// Advice, if any.
    pub fn help(&self) -> Option<&str> {
        self.problem.help()
    }

    /// Where the span starts.
    pub fn location(&self) -> SourceLocation {
        self.problem.location()
    }
}

impl fmt::Display for LintFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.problem, f)
    }
}

impl std::error::Error for LintFinding {}

impl Diagnostic for LintFinding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            LintSeverity::Error => miette::Severity::Error,
            LintSeverity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Diagnostic::help(&self.problem)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Diagnostic::labels(&self.problem)
    }
}

/// Checks `policy`, parsed from `source`, as an SCP with the default options.
pub fn lint_scp(policy: &Policy, source: &str) -> Vec<LintFinding> {
    lint_scp_with(policy, source, &LintOptions::default())
}

/// Checks `policy`, parsed from `source`, as an SCP; findings are ordered by place.
pub fn lint_scp_with(policy: &Policy, source: &str, options: &LintOptions) -> Vec<LintFinding> {
    let mut lint = Lint {
        source,
        findings: Vec::new(),
    };
    lint.size(options.max_size);
    lint.version(policy);
    lint.duplicate_sids(policy);
    for statement in policy.statements() {
        lint.statement(statement, policy.version());
        if options.language == ScpLanguage::Restricted {
            lint.restricted(statement);
        }
    }
    lint.findings.sort_by_key(|finding| finding.span().offset());

    // Located in order of place, each finding costs only the text since the one before.
    let mut lines = LineIndex::new(source);
    lint.findings
        .into_iter()
        .map(|finding| LintFinding {
            problem: finding.problem.located_with(&mut lines),
            ..finding
        })
        .collect()
}

struct Lint<'a> {
    source: &'a str,
    findings: Vec<LintFinding>,
}

impl Lint<'_> {
    fn report(
        &mut self,
        code: &'static str,
        severity: LintSeverity,
        message: String,
        (span, label): (SourceSpan, &str),
        help: Option<String>,
    ) {
        let mut problem = SourceProblem::new(message, span, label);
        if let Some(help) = help {
            problem = problem.with_help(help);
        }
        self.findings.push(LintFinding {
            code,
            severity,
            problem,
        });
    }

    /// AWS Organizations User Guide, orgs_reference_limits.html and
    /// orgs_manage_policies_scps_syntax.html: every character counts, white space included.
    fn size(&mut self, max_size: usize) {
        let size = self.source.chars().count();
        if size <= max_size {
            return;
        }
        // Only the first character past the limit is underlined: the snippet then shows the
        // place where the limit is passed, not the whole rest of the document.
        let (first_extra, extra_len) = self
            .source
            .char_indices()
            .nth(max_size)
            .map_or((self.source.len(), 0), |(offset, c)| (offset, c.len_utf8()));
        let compact = compact_size(self.source);
        let help = if compact <= max_size {
            format!("without white space outside strings it would be {compact} characters")
        } else {
            "split the statements across several SCPs".to_owned()
        };
        self.report(
            "scp-size",
            LintSeverity::Error,
            format!("SCP is {size} characters, more than the limit of {max_size}"),
            (
                span(first_extra, extra_len),
                "the first character beyond the limit",
            ),
            Some(help),
        );
    }

    /// AWS Organizations User Guide, orgs_manage_policies_scps_syntax.html: every SCP has
    /// `"Version": "2012-10-17"`.
    fn version(&mut self, policy: &Policy) {
        let (span, label, help) = match (policy.version(), policy.version_span()) {
            (PolicyVersion::Current, _) => return,
            (PolicyVersion::Original, Some(span)) => (
                span,
                "the original version",
                "write `\"2012-10-17\"` here; under the original version policy variables are \
                 plain text",
            ),
            (PolicyVersion::Original, None) => (
                span(0, self.source.len().min(1)),
                "no `Version`",
                "add `\"Version\": \"2012-10-17\"`; without it policy variables are plain text",
            ),
        };
        self.report(
            "scp-version",
            LintSeverity::Error,
            "SCP does not use version `2012-10-17`".to_owned(),
            (span, label),
            Some(help.to_owned()),
        );
    }

    /// IAM User Guide, reference_policies_elements_sid.html: a `Sid` is unique within a policy.
    fn duplicate_sids(&mut self, policy: &Policy) {
        let mut seen = HashSet::new();
        for statement in policy.statements() {
            let Some(sid) = statement.sid() else {
                continue;
            };
            let first_use = seen.insert(sid);
            if let (false, Some(sid_span)) = (first_use, statement.sid_span()) {
                self.report(
                    "duplicate-sid",
                    LintSeverity::Error,
                    format!("duplicate `Sid` `{sid}`"),
                    (sid_span, "used by an earlier statement"),
                    Some("give each statement its own `Sid`".to_owned()),
                );
            }
        }
    }

    fn statement(&mut self, statement: &Statement, version: PolicyVersion) {
        self.sid_characters(statement);
        self.missing_resource(statement);
        self.denies_everything(statement);
        self.condition_values(statement);
        self.for_all_values_in_allow(statement);
        self.set_operators_and_key_kinds(statement);
        if version == PolicyVersion::Original {
            self.variables_as_text(statement);
        }
    }

    /// IAM User Guide, reference_policies_elements_sid.html: `Sid` supports ASCII letters and
    /// digits.
    fn sid_characters(&mut self, statement: &Statement) {
        let (Some(sid), Some(sid_span)) = (statement.sid(), statement.sid_span()) else {
            return;
        };
        if sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return;
        }
        self.report(
            "sid-characters",
            LintSeverity::Warning,
            format!("`Sid` `{sid}` has characters other than ASCII letters and digits"),
            (sid_span, "IAM accepts only `A-Z`, `a-z` and `0-9` here"),
            Some("remove spaces, dashes and other punctuation".to_owned()),
        );
    }

    fn missing_resource(&mut self, statement: &Statement) {
        if statement.resources().is_some() {
            return;
        }
        self.report(
            "missing-resource",
            LintSeverity::Warning,
            format!("statement {} has no `Resource`", statement.display_name()),
            (start_of(statement.span()), "it applies to every resource"),
            Some("state `\"Resource\": \"*\"` if every resource is meant".to_owned()),
        );
    }

    fn denies_everything(&mut self, statement: &Statement) {
        let actions = statement.actions();
        let every_action = !actions.is_negated() && actions.texts().any(|text| text == "*");
        let every_resource = statement
            .resources()
            .is_none_or(|resources| !resources.is_negated() && resources.texts().any(|t| t == "*"));
        let denies = statement.effect() == Effect::Deny;
        if !(denies && every_action && every_resource && statement.conditions().is_empty()) {
            return;
        }
        self.report(
            "deny-everything",
            LintSeverity::Warning,
            format!(
                "statement {} denies every action on every resource",
                statement.display_name()
            ),
            (start_of(statement.span()), "no condition limits this deny"),
            Some("every principal under the target loses all access; add a condition".to_owned()),
        );
    }

    /// IAM User Guide, reference_policies_elements_condition_operators.html: a value the
    /// operator cannot read never matches.
    fn condition_values(&mut self, statement: &Statement) {
        for condition in statement.conditions() {
            let operator = condition.operator();
            let expected = operator.base.value_form();
            let unreadable: Vec<(String, SourceSpan)> = condition
                .unreadable_values()
                .map(|(text, span)| (text.to_owned(), span))
                .collect();
            for (text, span) in unreadable {
                self.report(
                    "unreadable-condition-value",
                    LintSeverity::Warning,
                    format!("`{operator}` cannot read `{text}`"),
                    (span, "never matches"),
                    Some(format!("write {expected}")),
                );
            }
        }
    }

    /// IAM User Guide, reference_policies_condition-single-vs-multi-valued-context-keys.html:
    /// `ForAllValues` is true when the key is absent, so an `Allow` with it alone is broad.
    fn for_all_values_in_allow(&mut self, statement: &Statement) {
        if statement.effect() != Effect::Allow {
            return;
        }
        for condition in statement.conditions() {
            let operator = condition.operator();
            if operator.set != Some(SetQualifier::ForAllValues) {
                continue;
            }
            let key = condition.key();
            let null_checked = statement.conditions().iter().any(|other| {
                other.operator().base == BaseOperator::Null && other.key().eq_ignore_ascii_case(key)
            });
            if null_checked {
                continue;
            }
            self.report(
                "for-all-values-absent-key",
                LintSeverity::Warning,
                format!("`{operator}` on `{key}` allows requests without the key"),
                (
                    condition.operator_span(),
                    "true when the key is absent or empty",
                ),
                Some(format!(
                    "add `\"Null\": {{\"{key}\": \"false\"}}` to require the key"
                )),
            );
        }
    }

    /// IAM User Guide, reference_policies_condition-single-vs-multi-valued-context-keys.html:
    /// a multivalued key needs `ForAllValues` or `ForAnyValue`, and a single-valued key must
    /// not have one. Which global keys are which: reference_policies_condition-keys.html, each
    /// key's "Value type". Keys of services are not known here and are not checked.
    fn set_operators_and_key_kinds(&mut self, statement: &Statement) {
        for condition in statement.conditions() {
            let operator = condition.operator();
            if operator.base == BaseOperator::Null {
                continue;
            }
            let key = condition.key();
            let Some(multivalued) = global_key_is_multivalued(key) else {
                continue;
            };
            match (operator.set, multivalued) {
                (None, true) => self.report(
                    "multivalued-key-without-set-operator",
                    LintSeverity::Warning,
                    format!("`{operator}` on `{key}`, a multivalued key, without a set operator"),
                    (condition.key_span(), "can carry several values"),
                    Some(format!(
                        "write `ForAllValues:{operator}` (every value must match) or \
                         `ForAnyValue:{operator}` (one value must match)"
                    )),
                ),
                (Some(set), false) => self.report(
                    "set-operator-on-single-valued-key",
                    LintSeverity::Warning,
                    format!("`{operator}` on `{key}`, a single-valued key"),
                    (
                        condition.operator_span(),
                        match set {
                            SetQualifier::ForAllValues => "also true when the key is absent",
                            SetQualifier::ForAnyValue => "a set operator on one value",
                        },
                    ),
                    Some(format!(
                        "write `{}` without the set operator",
                        Operator {
                            set: None,
                            ..operator
                        }
                    )),
                ),
                _ => {}
            }
        }
    }

    /// The rules of [`ScpLanguage::Restricted`]; each finding is an error because
    /// Organizations refuses the policy where only that language is available.
    fn restricted(&mut self, statement: &Statement) {
        self.restricted_action_wildcards(statement);
        self.restricted_not_resource(statement);
        if statement.effect() == Effect::Allow {
            self.restricted_allow_not_action(statement);
            self.restricted_allow_resources(statement);
            self.restricted_allow_condition(statement);
        }
    }

    /// `*` and `?` in `Action` or `NotAction` stand alone or end the string.
    fn restricted_action_wildcards(&mut self, statement: &Statement) {
        let actions = statement.actions();
        let name = actions.name();
        let inner_wildcards: Vec<(String, SourceSpan)> = actions
            .texts()
            .zip(actions.spans())
            .filter_map(|(text, span)| {
                let head = text.trim_end_matches(['*', '?']);
                let index = head.find(['*', '?'])?;
                Some((text.to_owned(), self.character_span(span, text, index)))
            })
            .collect();
        for (text, span) in inner_wildcards {
            self.report(
                "scp-restricted-action-wildcard",
                LintSeverity::Error,
                format!("wildcard inside `{name}` pattern `{text}`"),
                (
                    span,
                    "the restricted SCP language accepts a wildcard only alone or at the end",
                ),
                Some("list the actions, or end the pattern with the wildcard".to_owned()),
            );
        }
    }

    /// `NotResource` is refused in `Allow` and `Deny` statements alike.
    fn restricted_not_resource(&mut self, statement: &Statement) {
        let Some(resources) = statement.resources().filter(|element| element.is_negated()) else {
            return;
        };
        let help = match statement.effect() {
            Effect::Allow => {
                "write `\"Resource\": \"*\"` and deny what should stay out in a `Deny` statement"
            }
            Effect::Deny => "list the denied resources in `Resource` instead",
        };
        self.report(
            "scp-restricted-not-resource",
            LintSeverity::Error,
            format!("statement {} uses `NotResource`", statement.display_name()),
            (
                resources.element_span(),
                "the restricted SCP language has no `NotResource`",
            ),
            Some(help.to_owned()),
        );
    }

    /// An `Allow` statement names its actions in `Action`.
    fn restricted_allow_not_action(&mut self, statement: &Statement) {
        let actions = statement.actions();
        if !actions.is_negated() {
            return;
        }
        self.report(
            "scp-restricted-allow-not-action",
            LintSeverity::Error,
            format!(
                "`Allow` statement {} uses `NotAction`",
                statement.display_name()
            ),
            (
                actions.element_span(),
                "the restricted SCP language accepts only `Action` in `Allow`",
            ),
            Some(
                "list the allowed actions in `Action`, or deny the others with `NotAction` in a \
                 `Deny` statement"
                    .to_owned(),
            ),
        );
    }

    /// An `Allow` statement's `Resource` is exactly `"*"`; `NotResource` is reported by
    /// [`Lint::restricted_not_resource`].
    fn restricted_allow_resources(&mut self, statement: &Statement) {
        let Some(resources) = statement
            .resources()
            .filter(|element| !element.is_negated())
        else {
            return;
        };
        let named: Vec<(String, SourceSpan)> = resources
            .texts()
            .zip(resources.spans())
            .filter(|(text, _)| *text != "*")
            .map(|(text, span)| (text.to_owned(), span))
            .collect();
        for (text, span) in named {
            self.report(
                "scp-restricted-allow-resource",
                LintSeverity::Error,
                format!(
                    "`Allow` statement {} names resource `{text}`",
                    statement.display_name()
                ),
                (
                    span,
                    "the restricted SCP language accepts only `\"*\"` here",
                ),
                Some(
                    "write `\"Resource\": \"*\"` and deny the other resources in a `Deny` \
                     statement"
                        .to_owned(),
                ),
            );
        }
    }

    /// An `Allow` statement has no `Condition`.
    fn restricted_allow_condition(&mut self, statement: &Statement) {
        let Some(condition_span) = statement.condition_span() else {
            return;
        };
        self.report(
            "scp-restricted-allow-condition",
            LintSeverity::Error,
            format!(
                "`Allow` statement {} has a `Condition`",
                statement.display_name()
            ),
            (
                condition_span,
                "the restricted SCP language has no `Condition` in `Allow`",
            ),
            Some(
                "allow without the condition, and deny what it should exclude in a `Deny` \
                 statement with the opposite condition"
                    .to_owned(),
            ),
        );
    }

    /// The span of the character at byte `index` of `text`, a string written at `string_span`;
    /// the whole string when escapes make its source differ from `text`.
    fn character_span(&self, string_span: SourceSpan, text: &str, index: usize) -> SourceSpan {
        let start = string_span.offset();
        let written = self.source.get(start..start + string_span.len());
        let unescaped = written
            .and_then(|written| written.strip_prefix('"')?.strip_suffix('"'))
            .is_some_and(|inside| inside == text);
        let character = text.get(index..).and_then(|rest| rest.chars().next());
        match character {
            Some(character) if unescaped => span(start + 1 + index, character.len_utf8()),
            _ => string_span,
        }
    }

    fn variables_as_text(&mut self, statement: &Statement) {
        let resource_texts = statement
            .resources()
            .into_iter()
            .flat_map(|resources| resources.texts().zip(resources.spans()));
        let condition_texts = statement
            .conditions()
            .iter()
            .flat_map(|condition| condition.values().zip(condition.value_spans()));
        let with_variables: Vec<(String, SourceSpan)> = resource_texts
            .chain(condition_texts)
            .filter(|(text, _)| text.contains("${"))
            .map(|(text, span)| (text.to_owned(), span))
            .collect();
        for (text, span) in with_variables {
            self.report(
                "variable-as-text",
                LintSeverity::Warning,
                format!("`{text}` is plain text under version `2008-10-17`"),
                (span, "not expanded"),
                Some("use `\"Version\": \"2012-10-17\"` for policy variables".to_owned()),
            );
        }
    }
}

/// Whether a global condition key (`aws:`) is multivalued, or `None` for a key this table does
/// not know. IAM User Guide, reference_policies_condition-keys.html: the keys whose value type
/// is "Multivalued", and the single-valued keys most often misused with a set operator.
fn global_key_is_multivalued(key: &str) -> Option<bool> {
    const MULTIVALUED: [&str; 6] = [
        "aws:CalledVia",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalServiceNamesList",
        "aws:ResourceOrgPaths",
        "aws:SourceOrgPaths",
        "aws:TagKeys",
    ];
    const SINGLE_VALUED: [&str; 30] = [
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:FederatedProvider",
        "aws:MultiFactorAuthAge",
        "aws:MultiFactorAuthPresent",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalOrgID",
        "aws:PrincipalServiceName",
        "aws:PrincipalType",
        "aws:Referer",
        "aws:RequestedRegion",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:SecureTransport",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceIdentity",
        "aws:SourceIp",
        "aws:SourceOrgID",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:TokenIssueTime",
        "aws:UserAgent",
        "aws:userid",
        "aws:username",
        "aws:ViaAWSService",
    ];
    let is = |name: &&str| name.eq_ignore_ascii_case(key);
    let tag = ["aws:PrincipalTag/", "aws:ResourceTag/", "aws:RequestTag/"]
        .iter()
        .any(|prefix| {
            key.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        });
    if MULTIVALUED.iter().any(is) {
        Some(true)
    } else if tag || SINGLE_VALUED.iter().any(is) {
        Some(false)
    } else {
        None
    }
}

fn start_of(statement_span: SourceSpan) -> SourceSpan {
    span(statement_span.offset(), statement_span.len().min(1))
}

/// The size of `source` without white space outside strings.
fn compact_size(source: &str) -> usize {
    let mut size = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in source.chars() {
        if in_string {
            size += 1;
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !c.is_whitespace() {
            size += 1;
            in_string = c == '"';
        }
    }
    size
}

#[cfg(test)]
mod tests;
