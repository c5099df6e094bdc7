//! Turns policy JSON into a validated [`Policy`], reporting every problem with its place.
//!
//! The grammar follows the IAM User Guide, reference_policies_grammar.html and
//! reference_policies_elements.html, and the AWS Organizations User Guide,
//! orgs_manage_policies_scps_syntax.html (no `Principal` in an SCP).

use miette::SourceSpan;

use crate::condition::{Condition, RawValue};
use crate::document::{
    ActionElement, Effect, Patterns, Policy, PolicyKind, PolicyVersion, ResourceElement,
    ResourcePattern, Statement,
};
use crate::error::{PolicyError, PolicyErrors};
use crate::json::{self, Json, JsonKind, Member};
use crate::operator::{Operator, OperatorError};
use crate::pattern::{Case, Glob, ResourceGlob};
use crate::principal::{self, PrincipalElement, PrincipalEntry, PrincipalType};
use crate::variables::Template;

const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "Principal",
    "NotPrincipal",
];

const RESOURCE_HELP: &str =
    "a resource is `*` or an ARN `arn:partition:service:region:account:resource`";

const POLICY_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];

pub(crate) fn parse_policy(
    source_name: &str,
    text: &str,
    kind: PolicyKind,
) -> Result<Policy, PolicyErrors> {
    let mut problems = Vec::new();
    let document = json::parse_with_recovery(text, &mut problems);
    let policy = document.and_then(|document| {
        let mut reader = Reader {
            problems: &mut problems,
            kind,
        };
        reader.policy(source_name, text, &document)
    });
    match policy {
        Some(policy) if problems.is_empty() => Ok(policy),
        _ => Err(PolicyErrors::collect("policy", source_name, text, problems)),
    }
}

struct Reader<'a> {
    problems: &'a mut Vec<PolicyError>,
    kind: PolicyKind,
}

/// The members of a statement, each found at most once thanks to the JSON layer.
#[derive(Default)]
struct StatementMembers<'a> {
    sid: Option<&'a Member>,
    effect: Option<&'a Member>,
    action: Option<&'a Member>,
    not_action: Option<&'a Member>,
    resource: Option<&'a Member>,
    not_resource: Option<&'a Member>,
    condition: Option<&'a Member>,
    principal: Option<&'a Member>,
    not_principal: Option<&'a Member>,
}

// A syntax error is reported by the JSON layer, which then marks the value it spoiled: an
// unreadable value is not reported again (`wrong_type` and the readers of items say nothing about
// it), and an object or array that is not whole is not reported for what it lacks (a missing
// `Effect`, an empty `Action`), since that may be in the text that could not be read.
// Limitation: so a statement that lost a member to a syntax error is not reported for lacking
// `Effect`, `Action` or `Principal` even when the text has none; that is reported once the
// syntax error is fixed.
impl Reader<'_> {
    fn policy(&mut self, source_name: &str, text: &str, document: &Json) -> Option<Policy> {
        let JsonKind::Object(members) = &document.kind else {
            if document.is_unreadable() {
                return None;
            }
            let found = document.kind_name();
            self.report(
                PolicyError::new(
                    "policy document must be a JSON object",
                    document.start_span(),
                    format!("found {found}"),
                )
                .with_help(
                    "a policy looks like `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`",
                ),
            );
            return None;
        };

        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for member in members {
            match member.name.as_str() {
                "Version" => version = self.version(member),
                "Id" => id = self.string(member),
                "Statement" => statement = Some(member),
                _ => self.unknown_policy_element(member),
            }
        }
        let (version, version_span) = match version {
            Some((version, span)) => (version, Some(span)),
            None => (PolicyVersion::Original, None),
        };
        let Some(statement) = statement else {
            if !document.is_whole() {
                return None;
            }
            self.report(
                PolicyError::new(
                    "policy has no `Statement`",
                    document.start_span(),
                    "this object needs a `Statement`",
                )
                .with_help("add `\"Statement\": [...]` with at least one statement"),
            );
            return None;
        };
        let statements = self.statements(statement, version)?;
        Some(Policy {
            source_name: source_name.to_owned(),
            kind: self.kind,
            version,
            version_span,
            id,
            statements,
            size_in_characters: text.chars().count(),
        })
    }

    fn version(&mut self, member: &Member) -> Option<(PolicyVersion, SourceSpan)> {
        let text = self.string(member)?;
        let version = match text.as_str() {
            "2012-10-17" => PolicyVersion::Current,
            "2008-10-17" => PolicyVersion::Original,
            _ => {
                self.report(
                    PolicyError::new(
                        format!("unsupported policy version `{text}`"),
                        member.value.span,
                        "expected `2012-10-17` or `2008-10-17`",
                    )
                    .with_help("use `\"Version\": \"2012-10-17\"`"),
                );
                return None;
            }
        };
        Some((version, member.value.span))
    }

    fn unknown_policy_element(&mut self, member: &Member) {
        let name = &member.name;
        let mut error = PolicyError::new(
            format!("unknown policy element `{name}`"),
            member.name_span,
            "not a policy element",
        );
        if let Some(known) = same_but_case(name, &POLICY_ELEMENTS) {
            error = error.with_help(format!("element names are case-sensitive: write `{known}`"));
        } else if STATEMENT_ELEMENTS.contains(&name.as_str()) {
            error = error.with_help(format!(
                "`{name}` belongs inside a statement: put it in an object in `Statement`"
            ));
        } else {
            error = error.with_help("a policy has only `Version`, `Id` and `Statement`");
        }
        self.report(error);
    }

    fn statements(&mut self, member: &Member, version: PolicyVersion) -> Option<Vec<Statement>> {
        let items: Vec<&Json> = match &member.value.kind {
            JsonKind::Object(_) => vec![&member.value],
            JsonKind::Array(items) if items.is_empty() => {
                self.report_if_whole(
                    &member.value,
                    PolicyError::new("`Statement` is empty", member.value.span, "no statements")
                        .with_help("add at least one statement"),
                );
                return None;
            }
            JsonKind::Array(items) => items.iter().collect(),
            _ => {
                self.wrong_type(member, "an object or an array of objects");
                return None;
            }
        };
        let expand_variables = version == PolicyVersion::Current;
        let statements: Vec<Option<Statement>> = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| self.statement(index, item, expand_variables))
            .collect();
        statements.into_iter().collect()
    }

    fn statement(
        &mut self,
        index: usize,
        json: &Json,
        expand_variables: bool,
    ) -> Option<Statement> {
        let JsonKind::Object(members) = &json.kind else {
            if json.is_unreadable() {
                return None;
            }
            let found = json.kind_name();
            self.report(PolicyError::new(
                "statement must be an object",
                json.start_span(),
                format!("found {found}"),
            ));
            return None;
        };
        let problems_before = self.problems.len();
        let found = self.statement_members(members);

        let sid = found
            .sid
            .and_then(|member| Some((self.string(member)?, member.value.span)));
        let effect = self.effect(found.effect, json);
        let actions = self.actions(&found, json);
        let resources = self.resources(&found, expand_variables);
        let principals = match self.kind {
            PolicyKind::Identity => Some(None),
            PolicyKind::ResourceBased => self.principals(&found, json, effect).map(Some),
        };
        let conditions = match found.condition {
            Some(member) => self.conditions(member, expand_variables),
            None => Vec::new(),
        };
        if self.problems.len() > problems_before {
            return None;
        }
        Some(Statement {
            index,
            sid,
            effect: effect?,
            actions: actions?,
            resources: resources?,
            principals: principals?,
            conditions,
            condition_span: found.condition.map(|member| member.name_span),
            span: json.span,
        })
    }

    fn statement_members<'a>(&mut self, members: &'a [Member]) -> StatementMembers<'a> {
        let mut found = StatementMembers::default();
        for member in members {
            let slot = match member.name.as_str() {
                "Sid" => &mut found.sid,
                "Effect" => &mut found.effect,
                "Action" => &mut found.action,
                "NotAction" => &mut found.not_action,
                "Resource" => &mut found.resource,
                "NotResource" => &mut found.not_resource,
                "Condition" => &mut found.condition,
                "Principal" if self.kind == PolicyKind::ResourceBased => &mut found.principal,
                "NotPrincipal" if self.kind == PolicyKind::ResourceBased => {
                    &mut found.not_principal
                }
                "Principal" | "NotPrincipal" => {
                    self.principal_not_allowed(member);
                    continue;
                }
                _ => {
                    self.unknown_statement_element(member);
                    continue;
                }
            };
            *slot = Some(member);
        }
        found
    }

    fn principal_not_allowed(&mut self, member: &Member) {
        let name = &member.name;
        self.report(
            PolicyError::new(
                format!("`{name}` is not allowed in a service control or identity policy"),
                member.name_span,
                "only resource-based policies name principals",
            )
            .with_help(format!(
                "the policy applies to the principals it is attached to; remove `{name}`"
            )),
        );
    }

    fn unknown_statement_element(&mut self, member: &Member) {
        let name = &member.name;
        let mut error = PolicyError::new(
            format!("unknown statement element `{name}`"),
            member.name_span,
            "not a statement element",
        );
        if let Some(known) = same_but_case(name, &STATEMENT_ELEMENTS) {
            error = error.with_help(format!("element names are case-sensitive: write `{known}`"));
        } else if POLICY_ELEMENTS.contains(&name.as_str()) {
            error = error.with_help(format!("`{name}` belongs at the top of the policy"));
        } else {
            error = error.with_help(
                "a statement has `Sid`, `Effect`, `Action` or `NotAction`, `Resource` or \
                 `NotResource`, and `Condition`",
            );
        }
        self.report(error);
    }

    /// The `Principal` or `NotPrincipal` element of a resource-based policy statement.
    fn principals(
        &mut self,
        found: &StatementMembers<'_>,
        statement: &Json,
        effect: Option<Effect>,
    ) -> Option<PrincipalElement> {
        let member = self.one_of(
            found.principal,
            found.not_principal,
            "Principal",
            "NotPrincipal",
        );
        let Some((member, negated)) = member else {
            if found.principal.is_none() && found.not_principal.is_none() {
                self.report_if_whole(
                    statement,
                    PolicyError::new(
                        "statement of a resource-based policy has no `Principal`",
                        statement.start_span(),
                        "this statement needs a `Principal`",
                    )
                    .with_help(
                        "name who the statement applies to, e.g. \
                         `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/Reader\"}`",
                    ),
                );
            }
            return None;
        };
        // IAM User Guide, reference_policies_elements_notprincipal.html: `NotPrincipal` must be
        // used with `Deny`.
        if negated && effect == Some(Effect::Allow) {
            self.report(
                PolicyError::new(
                    "`NotPrincipal` with `Allow` is not supported",
                    member.name_span,
                    "allowed to everyone but these",
                )
                .with_help("use `Deny` with `NotPrincipal`, or name the principals in `Principal`"),
            );
        }
        let mut element = PrincipalElement {
            negated,
            element_span: member.name_span,
            bare_wildcard: false,
            entries: Vec::new(),
        };
        match &member.value.kind {
            JsonKind::String(text) if text == "*" => {
                element.bare_wildcard = true;
                element.entries.push(PrincipalEntry {
                    kind: PrincipalType::Aws,
                    text: text.clone(),
                    span: member.value.span,
                    named: principal::Named::Everyone,
                });
            }
            JsonKind::String(_) => {
                self.report(
                    PolicyError::new(
                        format!("`{}` must be `\"*\"` or an object", member.name),
                        member.value.span,
                        "a string other than `*`",
                    )
                    .with_help("write principals under their type: `{\"AWS\": [\"...\"]}`"),
                );
                return None;
            }
            JsonKind::Object(types) if types.is_empty() => {
                self.report_if_whole(
                    &member.value,
                    PolicyError::new(
                        format!("`{}` is empty", member.name),
                        member.value.span,
                        "names no principal",
                    )
                    .with_help("add `AWS`, `Service`, `Federated` or `CanonicalUser` values"),
                );
                return None;
            }
            JsonKind::Object(types) => {
                let problems_before = self.problems.len();
                for type_member in types {
                    self.principal_values(type_member, &mut element.entries);
                }
                if self.problems.len() > problems_before {
                    return None;
                }
            }
            _ => {
                self.wrong_type(member, "`\"*\"` or an object of principal types");
                return None;
            }
        }
        Some(element)
    }

    fn principal_values(&mut self, member: &Member, entries: &mut Vec<PrincipalEntry>) {
        let Some(kind) = PrincipalType::from_key(&member.name) else {
            let keys = PrincipalType::ALL.map(PrincipalType::key);
            let mut error = PolicyError::new(
                format!("unknown principal type `{}`", member.name),
                member.name_span,
                "not a principal type",
            );
            error = match same_but_case(&member.name, &keys) {
                Some(known) => error.with_help(format!(
                    "principal types are case-sensitive: write `{known}`"
                )),
                None => error.with_help(
                    "a principal type is `AWS`, `Service`, `Federated` or `CanonicalUser`",
                ),
            };
            self.report(error);
            return;
        };
        let Some(values) = self.string_list(member) else {
            return;
        };
        for (text, span) in values {
            match principal::parse_value(kind, &text) {
                Ok(named) => entries.push(PrincipalEntry {
                    kind,
                    text,
                    span,
                    named,
                }),
                Err(problem) => self.report(
                    PolicyError::new(format!("invalid {kind} principal `{text}`"), span, problem)
                        .with_help(principal_help(kind)),
                ),
            }
        }
    }

    fn effect(&mut self, member: Option<&Member>, statement: &Json) -> Option<Effect> {
        let Some(member) = member else {
            self.report_if_whole(
                statement,
                PolicyError::new(
                    "statement has no `Effect`",
                    statement.start_span(),
                    "this statement needs an `Effect`",
                )
                .with_help("add `\"Effect\": \"Deny\"` or `\"Effect\": \"Allow\"`"),
            );
            return None;
        };
        let text = self.string(member)?;
        match text.as_str() {
            "Allow" => return Some(Effect::Allow),
            "Deny" => return Some(Effect::Deny),
            _ => {}
        }
        let mut error = PolicyError::new(
            format!("invalid effect `{text}`"),
            member.value.span,
            "expected `Allow` or `Deny`",
        );
        if let Some(known) = same_but_case(&text, &["Allow", "Deny"]) {
            error = error.with_help(format!("effects are case-sensitive: write `{known}`"));
        }
        self.report(error);
        None
    }

    fn actions(&mut self, found: &StatementMembers<'_>, statement: &Json) -> Option<ActionElement> {
        let member = self.one_of(found.action, found.not_action, "Action", "NotAction");
        let Some((member, negated)) = member else {
            if found.action.is_none() && found.not_action.is_none() {
                self.report_if_whole(
                    statement,
                    PolicyError::new(
                        "statement has no `Action` or `NotAction`",
                        statement.start_span(),
                        "this statement needs an `Action`",
                    )
                    .with_help("add `\"Action\": \"service:Action\"`, e.g. `\"s3:PutObject\"`"),
                );
            }
            return None;
        };
        let mut patterns = Vec::new();
        for (text, span) in self.string_list(member)? {
            match action_problem(&text) {
                Some(problem) => self.report(
                    PolicyError::new(format!("invalid action `{text}`"), span, problem).with_help(
                        "write actions as `service:Action`, e.g. `s3:PutObject`, or `*`",
                    ),
                ),
                None => {
                    let glob = Glob::new(&text, Case::AsciiInsensitive);
                    patterns.push((text, span, glob));
                }
            }
        }
        Some(ActionElement(Patterns {
            negated,
            element_span: member.name_span,
            patterns,
        }))
    }

    /// The resource element: `Some(None)` when the statement has neither `Resource` nor
    /// `NotResource`, which is read as every resource.
    // Limitation: IAM refuses an identity policy statement without `Resource`, and whether
    // Organizations accepts such an SCP statement is not established here; the parser accepts
    // both and reads the statement as applying to every resource, and `lint_scp` warns.
    fn resources(
        &mut self,
        found: &StatementMembers<'_>,
        expand_variables: bool,
    ) -> Option<Option<ResourceElement>> {
        if found.resource.is_none() && found.not_resource.is_none() {
            return Some(None);
        }
        let (member, negated) = self.one_of(
            found.resource,
            found.not_resource,
            "Resource",
            "NotResource",
        )?;
        let mut patterns = Vec::new();
        for (text, span) in self.string_list(member)? {
            if let Some(problem) = resource_problem(&text) {
                self.report(
                    PolicyError::new(format!("invalid resource `{text}`"), span, problem)
                        .with_help(RESOURCE_HELP),
                );
                continue;
            }
            let template = expand_variables.then(|| Template::parse(&text)).flatten();
            let pattern = match template {
                Some(template) => ResourcePattern::Variables(template),
                None => ResourcePattern::Ready(ResourceGlob::new(&text)),
            };
            patterns.push((text, span, pattern));
        }
        Some(Some(ResourceElement(Patterns {
            negated,
            element_span: member.name_span,
            patterns,
        })))
    }

    /// The one member present of a pair such as `Action` / `NotAction`, and whether it is the
    /// negated one; reports when both are present.
    fn one_of<'a>(
        &mut self,
        plain: Option<&'a Member>,
        negated: Option<&'a Member>,
        plain_name: &str,
        negated_name: &str,
    ) -> Option<(&'a Member, bool)> {
        match (plain, negated) {
            (Some(plain), Some(negated)) => {
                self.report(
                    PolicyError::new(
                        format!("statement has both `{plain_name}` and `{negated_name}`"),
                        negated.name_span,
                        format!("`{negated_name}` here"),
                    )
                    .with_secondary(plain.name_span, format!("`{plain_name}` here"))
                    .with_help("keep one of them; split the statement in two if you need both"),
                );
                None
            }
            (Some(plain), None) => Some((plain, false)),
            (None, Some(negated)) => Some((negated, true)),
            (None, None) => None,
        }
    }

    fn conditions(&mut self, member: &Member, expand_variables: bool) -> Vec<Condition> {
        let JsonKind::Object(operators) = &member.value.kind else {
            self.wrong_type(member, "an object of condition operators");
            return Vec::new();
        };
        let mut conditions = Vec::new();
        for block in operators {
            let Some(operator) = self.operator(block) else {
                continue;
            };
            let JsonKind::Object(keys) = &block.value.kind else {
                self.wrong_type(block, "an object of condition keys");
                continue;
            };
            if keys.is_empty() {
                self.report_if_whole(
                    &block.value,
                    PolicyError::new(
                        format!("condition operator `{}` has no keys", block.name),
                        block.value.span,
                        "empty",
                    ),
                );
            }
            for (index, key) in keys.iter().enumerate() {
                self.same_key_in_other_case(keys.get(..index).unwrap_or_default(), key);
                if let Some(values) = self.condition_values(key) {
                    let raw_key = (key.name.clone(), key.name_span);
                    let condition = Condition::new(
                        operator,
                        raw_key,
                        values,
                        block.name_span,
                        expand_variables,
                    );
                    conditions.push(condition);
                }
            }
        }
        conditions
    }

    fn operator(&mut self, block: &Member) -> Option<Operator> {
        let name = &block.name;
        let error = match Operator::parse(name) {
            Ok(operator) => return Some(operator),
            Err(OperatorError::Unknown { suggestion }) => {
                let error = PolicyError::new(
                    format!("unknown condition operator `{name}`"),
                    block.name_span,
                    "not a condition operator",
                );
                match suggestion {
                    Some(known) => error.with_help(format!(
                        "operator names are case-sensitive: write `{known}`"
                    )),
                    None => error.with_help(
                        "see the IAM condition operators, e.g. `StringEquals`, `Bool`, `Null`",
                    ),
                }
            }
            Err(OperatorError::NullWithIfExists) => PolicyError::new(
                format!("`{name}` is not an operator"),
                block.name_span,
                "`Null` cannot take `IfExists`",
            )
            .with_help("`Null` already tests whether the key exists; use `Null`"),
            Err(OperatorError::NullWithSet) => PolicyError::new(
                format!("`{name}` is not an operator"),
                block.name_span,
                "`Null` cannot take a set prefix",
            )
            .with_help("`Null` tests the whole key; use `Null`"),
        };
        self.report(error);
        None
    }

    /// Reports a key that repeats an earlier key of the same operator in another letter case:
    /// condition keys are case-insensitive, so both would test the same key.
    fn same_key_in_other_case(&mut self, earlier: &[Member], key: &Member) {
        let Some(first) = earlier
            .iter()
            .find(|first| first.name.eq_ignore_ascii_case(&key.name))
        else {
            return;
        };
        self.report(
            PolicyError::new(
                format!("duplicate condition key `{}`", key.name),
                key.name_span,
                "the same key in another letter case",
            )
            .with_secondary(first.name_span, "first here")
            .with_help("condition keys are case-insensitive; merge the values into one key"),
        );
    }

    fn condition_values(&mut self, key: &Member) -> Option<Vec<RawValue>> {
        if !is_condition_key(&key.name) {
            self.report(
                PolicyError::new(
                    format!("invalid condition key `{}`", key.name),
                    key.name_span,
                    "expected `prefix:name`",
                )
                .with_help("condition keys look like `aws:SecureTransport` or `s3:x-amz-acl`"),
            );
            return None;
        }
        let items: Vec<&Json> = match &key.value.kind {
            JsonKind::Array(items) if items.is_empty() => {
                self.report_if_whole(
                    &key.value,
                    PolicyError::new(
                        format!("condition key `{}` has no values", key.name),
                        key.value.span,
                        "empty list",
                    )
                    .with_help("give at least one value"),
                );
                return None;
            }
            JsonKind::Array(items) => items.iter().collect(),
            _ => vec![&key.value],
        };
        items
            .into_iter()
            .map(|item| self.condition_value(item))
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    }

    fn condition_value(&mut self, item: &Json) -> Option<RawValue> {
        if item.is_unreadable() {
            return None;
        }
        let text = match &item.kind {
            JsonKind::String(text) | JsonKind::Number(text) => text.clone(),
            JsonKind::Bool(value) => value.to_string(),
            JsonKind::Null | JsonKind::Array(_) | JsonKind::Object(_) => {
                let found = item.kind_name();
                self.report(PolicyError::new(
                    "condition value must be a string, a boolean or a number",
                    item.start_span(),
                    format!("found {found}"),
                ));
                return None;
            }
        };
        Some(RawValue {
            text,
            span: item.span,
        })
    }

    /// A string or a non-empty array of strings, with the span of each.
    fn string_list(&mut self, member: &Member) -> Option<Vec<(String, SourceSpan)>> {
        let name = &member.name;
        match &member.value.kind {
            JsonKind::String(text) => Some(vec![(text.clone(), member.value.span)]),
            JsonKind::Array(items) if items.is_empty() => {
                self.report_if_whole(
                    &member.value,
                    PolicyError::new(
                        format!("`{name}` is empty"),
                        member.value.span,
                        "matches nothing",
                    )
                    .with_help(format!("list at least one value in `{name}`")),
                );
                None
            }
            JsonKind::Array(items) => {
                let mut texts = Vec::new();
                for item in items {
                    match &item.kind {
                        JsonKind::String(text) => texts.push((text.clone(), item.span)),
                        _ if item.is_unreadable() => {}
                        _ => {
                            let found = item.kind_name();
                            self.report(PolicyError::new(
                                format!("`{name}` must hold only strings"),
                                item.start_span(),
                                format!("found {found}"),
                            ));
                        }
                    }
                }
                (texts.len() == items.len()).then_some(texts)
            }
            _ => {
                self.wrong_type(member, "a string or an array of strings");
                None
            }
        }
    }

    fn string(&mut self, member: &Member) -> Option<String> {
        match &member.value.kind {
            JsonKind::String(text) => Some(text.clone()),
            _ => {
                self.wrong_type(member, "a string");
                None
            }
        }
    }

    /// Reports that the value of `member` is not `expected`, unless it could not be read at all.
    fn wrong_type(&mut self, member: &Member, expected: &str) {
        if member.value.is_unreadable() {
            return;
        }
        let name = &member.name;
        let found = member.value.kind_name();
        self.report(PolicyError::new(
            format!("`{name}` must be {expected}"),
            member.value.start_span(),
            format!("found {found}"),
        ));
    }

    fn report(&mut self, error: PolicyError) {
        self.problems.push(error);
    }

    /// Reports `error`, about something `value` lacks, only when `value` was read in full.
    fn report_if_whole(&mut self, value: &Json, error: PolicyError) {
        if value.is_whole() {
            self.report(error);
        }
    }
}

/// What is wrong with an action pattern, if anything.
///
/// IAM User Guide, reference_policies_elements_action.html: `service:action`, where the service
/// prefix has no wildcard; `*` alone means every action.
fn action_problem(text: &str) -> Option<&'static str> {
    if text == "*" {
        return None;
    }
    let Some((service, action)) = text.split_once(':') else {
        return Some("expected `service:Action`");
    };
    let service_ok = !service.is_empty()
        && service
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    if !service_ok {
        return Some("the service prefix must be letters, digits and `-`");
    }
    if action.is_empty() || action.contains(':') || action.contains(char::is_whitespace) {
        return Some("expected one action name after the `:`");
    }
    None
}

/// How principals of `kind` are written.
fn principal_help(kind: PrincipalType) -> &'static str {
    match kind {
        PrincipalType::Aws => {
            "an AWS principal is `*`, an account id such as `111122223333`, or an ARN such as \
             `arn:aws:iam::111122223333:root`, `...:role/Name`, `...:user/Name` or \
             `arn:aws:sts::111122223333:assumed-role/Name/session`"
        }
        PrincipalType::Service => "a service principal looks like `ec2.amazonaws.com`",
        PrincipalType::Federated => {
            "a federated principal is a provider, e.g. `cognito-identity.amazonaws.com` or a SAML \
             provider ARN"
        }
        PrincipalType::CanonicalUser => "a canonical user is an Amazon S3 canonical user id",
    }
}

/// What is wrong with a resource pattern, if anything.
fn resource_problem(text: &str) -> Option<&'static str> {
    if text == "*" {
        return None;
    }
    if !text.starts_with("arn:") {
        return Some("not `*` or an ARN");
    }
    if text.split(':').count() < 6 {
        return Some("an ARN has six parts separated by `:`");
    }
    None
}

fn is_condition_key(name: &str) -> bool {
    name.split_once(':')
        .is_some_and(|(prefix, rest)| !prefix.is_empty() && !rest.is_empty())
}

/// The known name that `name` equals ignoring letter case, if it is not already exact.
fn same_but_case<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .copied()
}

#[cfg(test)]
mod tests;
