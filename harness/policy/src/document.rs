//! The policy document model: a parsed, validated and compiled policy.

use std::fmt;

use miette::SourceSpan;

use crate::condition::Condition;
use crate::error::PolicyErrors;
use crate::pattern::{Case, Glob, ResourceGlob, Spanning};
use crate::principal::{PrincipalElement, PrincipalMatch};
use crate::request::{Context, Request};
use crate::variables::Template;

/// A parsed, validated policy document, compiled for fast evaluation.
///
/// Two policies are equal when they say the same: same version, `Id` and statements. Where and
/// how the text was laid out (source name, spans, white space, size) does not count.
/// [`Display`](fmt::Display) prints the policy as canonical JSON that [`Policy::parse`] reads
/// back to an equal policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) source_name: String,
    pub(crate) kind: PolicyKind,
    pub(crate) version: PolicyVersion,
    pub(crate) version_span: Option<SourceSpan>,
    pub(crate) id: Option<String>,
    pub(crate) statements: Vec<Statement>,
    pub(crate) size_in_characters: usize,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.version == other.version
            && self.id == other.id
            && self.statements == other.statements
    }
}

impl Eq for Policy {}

impl Policy {
    /// Parses and validates a policy document; `source_name` names it in error messages.
    ///
    /// Every problem found is reported, each with its place in `text`.
    pub fn parse(source_name: &str, text: &str) -> Result<Policy, PolicyErrors> {
        crate::parse::parse_policy(source_name, text, PolicyKind::Identity)
    }

    /// Parses and validates a policy document of the given kind; a resource-based policy names
    /// the principals of each statement with `Principal` or `NotPrincipal`.
    pub fn parse_as(
        kind: PolicyKind,
        source_name: &str,
        text: &str,
    ) -> Result<Policy, PolicyErrors> {
        crate::parse::parse_policy(source_name, text, kind)
    }

    /// Whether the policy is a resource-based policy or one attached to principals.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The name given to [`Policy::parse`].
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// The policy language version; `2008-10-17` when the document has no `Version`.
    pub fn version(&self) -> PolicyVersion {
        self.version
    }

    /// The span of the `Version` value, if the document has one.
    pub fn version_span(&self) -> Option<SourceSpan> {
        self.version_span
    }

    /// The `Id` element, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The length of the source text in characters, as AWS counts policy size.
    pub fn size_in_characters(&self) -> usize {
        self.size_in_characters
    }
}

/// What a policy is attached to, which decides whether its statements name principals.
///
/// IAM User Guide, reference_policies_elements_principal.html: `Principal` and `NotPrincipal`
/// appear only in resource-based policies (and role trust policies); AWS Organizations User
/// Guide, orgs_manage_policies_scps_syntax.html: SCPs do not have them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// A service control policy or an identity-based policy: it applies to the principals it is
    /// attached to, and has no `Principal`.
    Identity,
    /// A resource-based policy, such as an S3 bucket policy: every statement has `Principal` or
    /// `NotPrincipal`.
    ResourceBased,
}

/// The policy language version.
///
/// IAM User Guide, reference_policies_elements_version.html: policy variables are expanded only
/// under `2012-10-17`; a policy without `Version` is read as `2008-10-17`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    /// `2012-10-17`, the current version.
    Current,
    /// `2008-10-17`, the original version: `${...}` is plain text.
    Original,
}

impl PolicyVersion {
    /// The version as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyVersion::Current => "2012-10-17",
            PolicyVersion::Original => "2008-10-17",
        }
    }
}

/// Whether a statement allows or denies what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// One statement of a policy; equal statements say the same, wherever they were written.
///
/// An empty `"Condition": {}` counts: it constrains nothing, but the restricted SCP language
/// refuses any `Condition` in an `Allow`, so a statement with one differs from one without.
#[derive(Debug, Clone)]
pub struct Statement {
    pub(crate) index: usize,
    pub(crate) sid: Option<(String, SourceSpan)>,
    pub(crate) effect: Effect,
    pub(crate) actions: ActionElement,
    pub(crate) resources: Option<ResourceElement>,
    pub(crate) principals: Option<PrincipalElement>,
    pub(crate) conditions: Vec<Condition>,
    /// The span of the `Condition` element name, if the statement has one (even empty).
    pub(crate) condition_span: Option<SourceSpan>,
    pub(crate) span: SourceSpan,
}

impl PartialEq for Statement {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && self.sid() == other.sid()
            && self.effect == other.effect
            && self.actions == other.actions
            && self.resources == other.resources
            && self.principals == other.principals
            && self.conditions == other.conditions
            && self.condition_span.is_some() == other.condition_span.is_some()
    }
}

impl Eq for Statement {}

impl Statement {
    /// The position of the statement in the policy, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_ref().map(|(sid, _)| sid.as_str())
    }

    /// The span of the `Sid` value in the source, if there is one.
    pub fn sid_span(&self) -> Option<SourceSpan> {
        self.sid.as_ref().map(|(_, span)| *span)
    }

    /// A name for messages: the `Sid` in backticks, or `#n` counting from 1.
    pub fn display_name(&self) -> String {
        match self.sid() {
            Some(sid) => format!("`{sid}`"),
            None => format!("#{}", self.index + 1),
        }
    }

    /// The effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The `Action` or `NotAction` element.
    pub fn actions(&self) -> &ActionElement {
        &self.actions
    }

    /// The `Resource` or `NotResource` element; `None` when the statement has neither, which
    /// is read as every resource.
    pub fn resources(&self) -> Option<&ResourceElement> {
        self.resources.as_ref()
    }

    /// The `Principal` or `NotPrincipal` element; only statements of resource-based policies
    /// have one.
    pub fn principals(&self) -> Option<&PrincipalElement> {
        self.principals.as_ref()
    }

    /// How the statement's principal element relates to the request's principal; every
    /// principal when the statement has none.
    pub fn principal_match(&self, request: &Request) -> PrincipalMatch {
        self.principals
            .as_ref()
            .map_or(PrincipalMatch::Principal, |element| {
                element.match_caller(&request.principal_arn, &request.account_id)
            })
    }

    /// The conditions; all must hold for the statement to match.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// The span of the `Condition` element name in the source, if the statement has one.
    pub(crate) fn condition_span(&self) -> Option<SourceSpan> {
        self.condition_span
    }

    /// The span of the statement object in the source.
    pub fn span(&self) -> SourceSpan {
        self.span
    }

    /// Whether the statement applies to `request`: action, resource, principal and every
    /// condition.
    pub fn matches(&self, request: &Request) -> bool {
        self.actions.applies_to(&request.action)
            && self.resource_applies(&request.resource, &request.context)
            && self.principal_match(request).applies()
            && self
                .conditions
                .iter()
                .all(|condition| condition.evaluate(&request.context))
    }

    /// Whether the resource element applies to `resource`.
    pub fn resource_applies(&self, resource: &str, context: &Context) -> bool {
        self.resources
            .as_ref()
            .is_none_or(|element| element.applies_to(resource, context))
    }
}

/// Patterns of one element with their source text and span.
#[derive(Debug, Clone)]
pub(crate) struct Patterns<T> {
    pub(crate) negated: bool,
    pub(crate) element_span: SourceSpan,
    pub(crate) patterns: Vec<(String, SourceSpan, T)>,
}

/// A compiled resource pattern.
#[derive(Debug, Clone)]
pub(crate) enum ResourcePattern {
    /// Compiled when the policy was parsed.
    Ready(ResourceGlob),
    /// Holds policy variables, resolved for each request.
    Variables(Template),
}

/// The `Action` or `NotAction` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionElement(pub(crate) Patterns<Glob>);

/// The `Resource` or `NotResource` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceElement(pub(crate) Patterns<ResourcePattern>);

macro_rules! element_accessors {
    ($element:ty, $name:literal, $negated_name:literal) => {
        impl $element {
            #[doc = concat!("Whether this is `", $negated_name, "` rather than `", $name, "`.")]
            pub fn is_negated(&self) -> bool {
                self.0.negated
            }

            /// The element name as written: `Action`, `NotResource`, ...
            pub fn name(&self) -> &'static str {
                if self.0.negated { $negated_name } else { $name }
            }

            /// The patterns as written.
            pub fn texts(&self) -> impl ExactSizeIterator<Item = &str> {
                self.0.patterns.iter().map(|(text, _, _)| text.as_str())
            }

            /// The span of each pattern in the source, in order.
            pub fn spans(&self) -> impl ExactSizeIterator<Item = SourceSpan> + '_ {
                self.0.patterns.iter().map(|(_, span, _)| *span)
            }

            /// The span of the element name in the source.
            pub fn element_span(&self) -> SourceSpan {
                self.0.element_span
            }
        }
    };
}

/// Elements are equal when both are negated or neither is, with the same patterns in order.
impl<T> PartialEq for Patterns<T> {
    fn eq(&self, other: &Self) -> bool {
        let texts = |patterns: &Patterns<T>| -> Vec<String> {
            patterns
                .patterns
                .iter()
                .map(|(text, _, _)| text.clone())
                .collect()
        };
        self.negated == other.negated
            && self.patterns.len() == other.patterns.len()
            && texts(self) == texts(other)
    }
}

impl<T> Eq for Patterns<T> {}

element_accessors!(ActionElement, "Action", "NotAction");
element_accessors!(ResourceElement, "Resource", "NotResource");

impl ActionElement {
    /// The text of the first pattern matching `action`, ignoring letter case.
    pub fn first_match(&self, action: &str) -> Option<&str> {
        self.0
            .patterns
            .iter()
            .find(|(_, _, glob)| glob.matches(action, Case::AsciiInsensitive))
            .map(|(text, _, _)| text.as_str())
    }

    /// Whether the element applies to `action`: a pattern matches it (`Action`), or none does
    /// (`NotAction`).
    pub fn applies_to(&self, action: &str) -> bool {
        self.first_match(action).is_some() != self.0.negated
    }
}

impl ResourceElement {
    /// The text of the first pattern matching `resource`; a pattern with a variable that cannot
    /// be resolved matches nothing.
    pub fn first_match(&self, resource: &str, context: &Context) -> Option<&str> {
        self.0
            .patterns
            .iter()
            .find(|(_, _, pattern)| pattern.matches(resource, context))
            .map(|(text, _, _)| text.as_str())
    }

    /// Whether the element applies to `resource`: a pattern matches it (`Resource`), or none
    /// does (`NotResource`).
    pub fn applies_to(&self, resource: &str, context: &Context) -> bool {
        self.first_match(resource, context).is_some() != self.0.negated
    }

    /// Each pattern with policy variables, as written and with its variables replaced by their
    /// values in `context` (a literal `*` or `?` written as its escape, `${*}` or `${?}`), or
    /// `None` when one cannot be resolved (so the pattern matches nothing).
    pub fn resolved_patterns(&self, context: &Context) -> Vec<(&str, Option<String>)> {
        self.0
            .patterns
            .iter()
            .filter_map(|(text, _, pattern)| match pattern {
                ResourcePattern::Ready(_) => None,
                ResourcePattern::Variables(template) => Some((
                    text.as_str(),
                    template
                        .resolve(context)
                        .map(|pieces| crate::variables::display(&pieces)),
                )),
            })
            .collect()
    }
}

impl ResourcePattern {
    fn matches(&self, resource: &str, context: &Context) -> bool {
        match self {
            ResourcePattern::Ready(glob) => glob.matches(resource),
            // Limitation: a pattern with a policy variable is compiled anew at every evaluation,
            // since it depends on the request's values; that allocates, and in a policy with
            // many such patterns it is the largest part of an evaluation's time (see the
            // benchmark's large policy). Patterns without variables are compiled once, when the
            // policy is parsed.
            ResourcePattern::Variables(template) => {
                template.resolve(context).is_some_and(|pieces| {
                    ResourceGlob::from_pieces(&pieces, Spanning::SegmentEndStar).matches(resource)
                })
            }
        }
    }
}
