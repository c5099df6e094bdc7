//! EFS operations: creating file systems.
//!
//! Resources and condition keys follow the Service Authorization Reference page "Actions,
//! resources, and condition keys for Amazon Elastic File System", the page
//! `list_amazonelasticfilesystem.html` under
//! <https://docs.aws.amazon.com/service-authorization/latest/reference/>.

use super::ParamType::{Bool, Str};
use super::{AuthorizationCheck, Call, CatalogueError, OperationSpec, ParamSpec, bool_text};

/// `CreateFileSystem`: the new file system, with `elasticfilesystem:Encrypted`; the creation
/// token is an idempotency token, not part of the ARN.
pub(super) static CREATE_FILE_SYSTEM: OperationSpec = OperationSpec {
    name: "elasticfilesystem:CreateFileSystem",
    service: "elasticfilesystem",
    params: &[
        ParamSpec::optional("encrypted", Bool),
        ParamSpec::optional("performance_mode", Str),
        ParamSpec::id("creation_token"),
    ],
    checks: create_file_system,
};

fn create_file_system(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    // The API creates an unencrypted file system unless `Encrypted` is sent as true, and the key
    // reports that effective setting, so an absent parameter is `false`.
    let encrypted = call.bool("encrypted").unwrap_or(false);
    let resource = format!(
        "arn:{partition}:elasticfilesystem:{region}:{account}:file-system/*",
        partition = call.partition(),
        region = call.env.region,
        account = call.env.account_id,
    );

    Ok(vec![call.check(
        "file-system",
        resource,
        vec![("elasticfilesystem:Encrypted", bool_text(encrypted))],
    )])
}

#[cfg(test)]
mod tests {
    use crate::catalogue::test_support::{checks, env, key, only, service_keys};

    #[test]
    fn create_file_system_sends_the_encryption_it_is_given() {
        let params = [
            ("encrypted", true.into()),
            ("performance_mode", "maxIO".into()),
        ];
        let checks = checks("elasticfilesystem:CreateFileSystem", &params, &env());

        assert_eq!(checks.len(), 1);
        let file_system = only(&checks, "file-system");
        assert_eq!(
            file_system.request.resource,
            "arn:aws:elasticfilesystem:eu-central-1:111122223333:file-system/*"
        );
        assert_eq!(
            service_keys(file_system),
            vec![("elasticfilesystem:Encrypted".to_owned(), "true".to_owned())]
        );
    }

    #[test]
    fn an_absent_encryption_setting_is_false() {
        let params = [("creation_token", "token-1".into())];
        let checks = checks("elasticfilesystem:CreateFileSystem", &params, &env());

        let file_system = only(&checks, "file-system");
        assert_eq!(
            key(file_system, "elasticfilesystem:Encrypted").as_deref(),
            Some("false")
        );
        assert!(file_system.request.resource.ends_with(":file-system/*"));
    }
}
