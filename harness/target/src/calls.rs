//! Each catalogue operation as a real AWS SDK call: the fixtures it needs, the call itself
//! through the gateway, and the check of what it created.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{
    BlockDeviceMapping, EbsBlockDevice, InstanceSpecification, InstanceType, VolumeType,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use scpcheck_report::StateCheck;
use scpcheck_scenario::catalogue;
use scpcheck_scenario::{ParamValue, Params};

use crate::outcome::{Outcome, describe_sdk_error};
use crate::sdk::Clients;

/// Why a case could not be prepared.
#[derive(Debug, thiserror::Error)]
#[error("preparing `{operation}` failed: {detail}")]
pub struct FixtureError {
    operation: String,
    detail: String,
}

/// The clients a case runs with: through the gateway (the call under test) and straight to the
/// emulator (fixtures and state checks, which are not under test).
#[derive(Debug, Clone)]
pub struct CallClients {
    /// Through the gateway over HTTPS, as the member account.
    pub secure: Clients,
    /// Through the gateway over plain HTTP, as the member account.
    pub plain: Clients,
    /// Straight to the emulator, as the member account.
    pub direct: Clients,
    /// The region.
    pub region: String,
    /// A prefix that makes this run's resource names unique.
    pub run_id: String,
    /// The machine image cases launch, with its root device name, once looked up.
    pub image: std::sync::Arc<tokio::sync::OnceCell<(String, String)>>,
}

fn bool_param(params: &Params, name: &str) -> Option<bool> {
    match params.get(name) {
        Some(ParamValue::Bool(value)) => Some(*value),
        _ => None,
    }
}

fn str_param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    match params.get(name) {
        Some(ParamValue::Str(value)) => Some(value),
        _ => None,
    }
}

fn int_param(params: &Params, name: &str) -> Option<i64> {
    match params.get(name) {
        Some(ParamValue::Int(value)) => Some(*value),
        _ => None,
    }
}

fn yes_no(value: bool) -> String {
    value.to_string()
}

impl CallClients {
    fn through_gateway(&self, params: &Params) -> &Clients {
        if str_param(params, "transport") == Some("http") {
            &self.plain
        } else {
            &self.secure
        }
    }

    fn fixture_error(operation: &str, detail: impl Into<String>) -> FixtureError {
        FixtureError {
            operation: operation.to_string(),
            detail: detail.into(),
        }
    }

    /// Creates what the call needs to exist and returns the resource identifiers to add to the
    /// case's parameters. `index` makes names unique within the run.
    pub async fn prepare(
        &self,
        operation: &str,
        params: &Params,
        index: usize,
    ) -> Result<BTreeMap<String, String>, FixtureError> {
        let mut ids = BTreeMap::new();
        let name = format!("{}-{index}", self.run_id);
        match operation {
            "ec2:RunInstances" => {
                ids.insert("image_id".to_string(), self.image(operation).await?.0);
            }
            "ec2:CreateSnapshot" => {
                let encrypted = bool_param(params, "source_volume_encrypted").unwrap_or(false);
                ids.insert(
                    "volume_id".to_string(),
                    self.volume(operation, encrypted).await?,
                );
            }
            "ec2:CreateSnapshots" => {
                let encrypted = bool_param(params, "source_volume_encrypted").unwrap_or(false);
                ids.insert(
                    "instance_id".to_string(),
                    self.instance(operation, encrypted).await?,
                );
            }
            "s3:PutObject" | "s3:GetObject" => {
                let bucket = self.bucket(operation).await?;
                let key = format!("objects/{name}");
                if operation == "s3:GetObject" {
                    self.object(operation, &bucket, &key).await?;
                }
                ids.insert("bucket".to_string(), bucket);
                ids.insert("key".to_string(), key);
            }
            "rds:CreateDBCluster" | "rds:RestoreDBClusterFromS3" => {
                ids.insert(
                    "db_cluster_identifier".to_string(),
                    format!("cluster-{name}"),
                );
            }
            "rds:CreateDBInstance" => {
                ids.insert("db_instance_identifier".to_string(), format!("db-{name}"));
                if let Some(engine) = str_param(params, "engine")
                    && engine.starts_with("aurora")
                {
                    let cluster = self.aurora_cluster(operation, engine, &name).await?;
                    ids.insert("db_cluster_identifier".to_string(), cluster);
                }
            }
            "elasticfilesystem:CreateFileSystem" => {
                ids.insert("creation_token".to_string(), format!("fs-{name}"));
            }
            _ => {}
        }
        Ok(ids)
    }

    /// Makes the call through the gateway and, when it was allowed and created something,
    /// checks what the emulator recorded.
    pub async fn execute(&self, operation: &str, params: &Params) -> Outcome {
        let clients = self.through_gateway(params);
        match operation {
            "ec2:RunInstances" => self.run_instances(clients, params).await,
            "ec2:CreateVolume" => self.create_volume(clients, params).await,
            "ec2:CreateSnapshot" => self.create_snapshot(clients, params).await,
            "ec2:CreateSnapshots" => self.create_snapshots(clients, params).await,
            "s3:PutObject" => self.put_object(clients, params).await,
            "s3:GetObject" => self.get_object(clients, params).await,
            "rds:CreateDBCluster" => self.create_db_cluster(clients, params).await,
            "rds:CreateDBInstance" => self.create_db_instance(clients, params).await,
            "rds:RestoreDBClusterFromS3" => self.restore_db_cluster(clients, params).await,
            "elasticfilesystem:CreateFileSystem" => self.create_file_system(clients, params).await,
            other => Outcome::error(format!("no SDK call is defined for `{other}`")),
        }
    }
}

// Fixtures, made straight in the emulator.
impl CallClients {
    /// The machine image cases launch and its root device name, looked up once.
    async fn image(&self, operation: &str) -> Result<(String, String), FixtureError> {
        self.image
            .get_or_try_init(|| self.first_image(operation))
            .await
            .cloned()
    }

    /// The first machine image the emulator offers, and its root device name.
    async fn first_image(&self, operation: &str) -> Result<(String, String), FixtureError> {
        let images = self
            .direct
            .ec2()
            .describe_images()
            .owners("amazon")
            .send()
            .await
            .map_err(|error| Self::fixture_error(operation, describe_sdk_error(&error)))?;
        images
            .images()
            .iter()
            .find_map(|image| {
                let id = image.image_id()?;
                let root = image.root_device_name()?;
                Some((id.to_string(), root.to_string()))
            })
            .ok_or_else(|| Self::fixture_error(operation, "the emulator offers no image"))
    }

    async fn volume(&self, operation: &str, encrypted: bool) -> Result<String, FixtureError> {
        let created = self
            .direct
            .ec2()
            .create_volume()
            .availability_zone(format!("{}a", self.region))
            .size(1)
            .encrypted(encrypted)
            .send()
            .await
            .map_err(|error| Self::fixture_error(operation, describe_sdk_error(&error)))?;
        created
            .volume_id()
            .map(str::to_string)
            .ok_or_else(|| Self::fixture_error(operation, "no volume id"))
    }

    async fn instance(&self, operation: &str, encrypted: bool) -> Result<String, FixtureError> {
        let (image, root_device) = self.image(operation).await?;
        let mapping = root_mapping(&root_device, Some(encrypted));
        let launched = self
            .direct
            .ec2()
            .run_instances()
            .image_id(image)
            .instance_type(InstanceType::T3Micro)
            .min_count(1)
            .max_count(1)
            .block_device_mappings(mapping)
            .send()
            .await
            .map_err(|error| Self::fixture_error(operation, describe_sdk_error(&error)))?;
        launched
            .instances()
            .first()
            .and_then(|instance| instance.instance_id())
            .map(str::to_string)
            .ok_or_else(|| Self::fixture_error(operation, "no instance id"))
    }

    async fn bucket(&self, operation: &str) -> Result<String, FixtureError> {
        let bucket = format!("scpcheck-{}", self.run_id);
        let s3 = self.direct.s3();
        if s3.head_bucket().bucket(&bucket).send().await.is_ok() {
            return Ok(bucket);
        }
        // us-east-1 is S3's default location and refuses to be named as a constraint.
        let configuration = (self.region != "us-east-1").then(|| {
            let location = aws_sdk_s3::types::BucketLocationConstraint::from(self.region.as_str());
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(location)
                .build()
        });
        s3.create_bucket()
            .bucket(&bucket)
            .set_create_bucket_configuration(configuration)
            .send()
            .await
            .map_err(|error| Self::fixture_error(operation, describe_sdk_error(&error)))?;
        Ok(bucket)
    }

    async fn object(&self, operation: &str, bucket: &str, key: &str) -> Result<(), FixtureError> {
        self.direct
            .s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from_static(b"scpcheck fixture"))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .send()
            .await
            .map_err(|error| Self::fixture_error(operation, describe_sdk_error(&error)))?;
        Ok(())
    }

    async fn aurora_cluster(
        &self,
        operation: &str,
        engine: &str,
        name: &str,
    ) -> Result<String, FixtureError> {
        let identifier = format!("fixture-{name}");
        self.direct
            .rds()
            .create_db_cluster()
            .db_cluster_identifier(&identifier)
            .engine(engine)
            .master_username("scpcheck")
            .master_user_password("scpcheck-password")
            .storage_encrypted(true)
            .send()
            .await
            .map_err(|error| Self::fixture_error(operation, describe_sdk_error(&error)))?;
        Ok(identifier)
    }
}

fn root_mapping(device: &str, encrypted: Option<bool>) -> BlockDeviceMapping {
    let ebs = EbsBlockDevice::builder()
        .set_encrypted(encrypted)
        .volume_size(8)
        .volume_type(VolumeType::Gp3)
        .build();
    BlockDeviceMapping::builder()
        .device_name(device)
        .ebs(ebs)
        .build()
}

/// An allowed create whose encryption flag was asked for (`None`: not sent, which means
/// unencrypted for every operation here) and read back from the emulator.
fn encryption_state(attribute: &str, asked: Option<bool>, observed: Option<bool>) -> Outcome {
    let expected = yes_no(asked.unwrap_or(false));
    Outcome::allowed().with_state(state(attribute, expected, observed.map(yes_no)))
}

fn state(attribute: &str, expected: String, observed: Option<String>) -> Option<StateCheck> {
    Some(StateCheck {
        attribute: attribute.to_string(),
        expected,
        observed: observed.unwrap_or_else(|| "absent".to_string()),
    })
}

// EC2.
impl CallClients {
    async fn run_instances(&self, clients: &Clients, params: &Params) -> Outcome {
        let image = str_param(params, "image_id")
            .unwrap_or_default()
            .to_string();
        let root_device = match self.image("ec2:RunInstances").await {
            Ok((_, root)) => root,
            Err(error) => return Outcome::error(error.to_string()),
        };
        let encrypted = bool_param(params, "root_volume_encrypted");
        let mut call = clients
            .ec2()
            .run_instances()
            .image_id(image)
            .instance_type(InstanceType::T3Micro)
            .min_count(1)
            .max_count(1);
        if encrypted.is_some() {
            call = call.block_device_mappings(root_mapping(&root_device, encrypted));
        }
        let launched = match call.send().await {
            Ok(launched) => launched,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        let Some(instance) = launched.instances().first().and_then(|i| i.instance_id()) else {
            return Outcome::allowed();
        };
        let observed = self.root_volume_encryption(instance).await;
        encryption_state("root volume Encrypted", encrypted, observed)
    }

    async fn root_volume_encryption(&self, instance: &str) -> Option<bool> {
        let filter = aws_sdk_ec2::types::Filter::builder()
            .name("attachment.instance-id")
            .values(instance)
            .build();
        let volumes = self
            .direct
            .ec2()
            .describe_volumes()
            .filters(filter)
            .send()
            .await
            .ok()?;
        volumes.volumes().first()?.encrypted()
    }

    async fn create_volume(&self, clients: &Clients, params: &Params) -> Outcome {
        let encrypted = bool_param(params, "encrypted");
        let size = int_param(params, "size").and_then(|size| i32::try_from(size).ok());
        let type_name = str_param(params, "volume_type");
        let volume_type = type_name.map(VolumeType::from);
        let iops = catalogue::create_volume_iops(type_name, int_param(params, "iops"))
            .and_then(|iops| i32::try_from(iops).ok());
        let created = clients
            .ec2()
            .create_volume()
            .availability_zone(format!("{}a", self.region))
            .size(size.unwrap_or(1))
            .set_volume_type(volume_type)
            .set_iops(iops)
            .set_encrypted(encrypted)
            .send()
            .await;
        let created = match created {
            Ok(created) => created,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        let observed = match created.volume_id() {
            Some(id) => self.volume_encryption(id).await,
            None => None,
        };
        encryption_state("Encrypted", encrypted, observed)
    }

    async fn volume_encryption(&self, volume: &str) -> Option<bool> {
        let described = self
            .direct
            .ec2()
            .describe_volumes()
            .volume_ids(volume)
            .send()
            .await
            .ok()?;
        described.volumes().first()?.encrypted()
    }

    async fn create_snapshot(&self, clients: &Clients, params: &Params) -> Outcome {
        let volume = str_param(params, "volume_id").unwrap_or_default();
        let created = clients
            .ec2()
            .create_snapshot()
            .volume_id(volume)
            .send()
            .await;
        let created = match created {
            Ok(created) => created,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        let source = bool_param(params, "source_volume_encrypted");
        let observed = match created.snapshot_id() {
            Some(id) => self.snapshot_encryption(id).await,
            None => None,
        };
        encryption_state("snapshot Encrypted", source, observed)
    }

    async fn snapshot_encryption(&self, snapshot: &str) -> Option<bool> {
        let described = self
            .direct
            .ec2()
            .describe_snapshots()
            .snapshot_ids(snapshot)
            .send()
            .await
            .ok()?;
        described.snapshots().first()?.encrypted()
    }

    async fn create_snapshots(&self, clients: &Clients, params: &Params) -> Outcome {
        let instance = str_param(params, "instance_id").unwrap_or_default();
        let specification = InstanceSpecification::builder()
            .instance_id(instance)
            .build();
        let created = clients
            .ec2()
            .create_snapshots()
            .instance_specification(specification)
            .send()
            .await;
        let created = match created {
            Ok(created) => created,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        let expected = yes_no(bool_param(params, "source_volume_encrypted").unwrap_or(false));
        let observed = created
            .snapshots()
            .iter()
            .map(|snapshot| snapshot.encrypted().map_or("absent".to_string(), yes_no))
            .collect::<Vec<_>>()
            .join(",");
        let observed = (!observed.is_empty()).then_some(observed);
        Outcome::allowed().with_state(state("snapshots Encrypted", expected, observed))
    }
}

// S3.
impl CallClients {
    async fn put_object(&self, clients: &Clients, params: &Params) -> Outcome {
        let bucket = str_param(params, "bucket").unwrap_or_default();
        let key = str_param(params, "key").unwrap_or_default();
        let sse = str_param(params, "sse");
        let put = clients
            .s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from_static(b"scpcheck case payload"))
            .set_server_side_encryption(sse.map(ServerSideEncryption::from))
            .send()
            .await;
        if let Err(error) = put {
            return Outcome::from_sdk_error(&error);
        }
        let head = self
            .direct
            .s3()
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await;
        let observed = head.ok().map(|head| {
            head.server_side_encryption()
                .map_or_else(|| "none".to_string(), |value| value.as_str().to_string())
        });
        let expected = sse.unwrap_or("none").to_string();
        Outcome::allowed().with_state(state("ServerSideEncryption", expected, observed))
    }

    async fn get_object(&self, clients: &Clients, params: &Params) -> Outcome {
        let bucket = str_param(params, "bucket").unwrap_or_default();
        let key = str_param(params, "key").unwrap_or_default();
        match clients
            .s3()
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Outcome::allowed(),
            Err(error) => Outcome::from_sdk_error(&error),
        }
    }
}

// RDS and EFS.
impl CallClients {
    async fn create_db_cluster(&self, clients: &Clients, params: &Params) -> Outcome {
        let identifier = str_param(params, "db_cluster_identifier").unwrap_or_default();
        let encrypted = bool_param(params, "storage_encrypted");
        let created = clients
            .rds()
            .create_db_cluster()
            .db_cluster_identifier(identifier)
            .engine(str_param(params, "engine").unwrap_or("aurora-mysql"))
            .master_username("scpcheck")
            .master_user_password("scpcheck-password")
            .set_storage_encrypted(encrypted)
            .send()
            .await;
        let created = match created {
            Ok(created) => created,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        let observed = created
            .db_cluster()
            .and_then(|cluster| cluster.storage_encrypted());
        encryption_state("StorageEncrypted", encrypted, observed)
    }

    async fn create_db_instance(&self, clients: &Clients, params: &Params) -> Outcome {
        let identifier = str_param(params, "db_instance_identifier").unwrap_or_default();
        let engine = str_param(params, "engine").unwrap_or("mysql");
        let encrypted = bool_param(params, "storage_encrypted");
        let mut call = clients
            .rds()
            .create_db_instance()
            .db_instance_identifier(identifier)
            .engine(engine)
            .db_instance_class("db.t3.micro")
            .set_storage_encrypted(encrypted);
        let aurora = engine.starts_with("aurora");
        if aurora {
            call = call.set_db_cluster_identifier(
                str_param(params, "db_cluster_identifier").map(str::to_string),
            );
        } else {
            call = call
                .master_username("scpcheck")
                .master_user_password("scpcheck-password")
                .allocated_storage(20);
        }
        let created = match call.send().await {
            Ok(created) => created,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        // Limitation: the storage encryption of an Aurora instance is its cluster's (an
        // encrypted fixture cluster here), so only other engines have their instance's
        // StorageEncrypted compared with what the call asked for.
        if aurora {
            return Outcome::allowed();
        }
        let observed = created
            .db_instance()
            .and_then(|instance| instance.storage_encrypted());
        encryption_state("StorageEncrypted", encrypted, observed)
    }

    async fn restore_db_cluster(&self, clients: &Clients, params: &Params) -> Outcome {
        let identifier = str_param(params, "db_cluster_identifier").unwrap_or_default();
        let encrypted = bool_param(params, "storage_encrypted");
        let restored = clients
            .rds()
            .restore_db_cluster_from_s3()
            .db_cluster_identifier(identifier)
            .engine(str_param(params, "engine").unwrap_or("aurora-mysql"))
            .master_username("scpcheck")
            .master_user_password("scpcheck-password")
            .source_engine("mysql")
            .source_engine_version("8.0.36")
            .s3_bucket_name(format!("scpcheck-{}", self.run_id))
            .s3_ingestion_role_arn("arn:aws:iam::000000000000:role/scpcheck-ingestion")
            .set_storage_encrypted(encrypted)
            .send()
            .await;
        let restored = match restored {
            Ok(restored) => restored,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        let observed = restored
            .db_cluster()
            .and_then(|cluster| cluster.storage_encrypted());
        encryption_state("StorageEncrypted", encrypted, observed)
    }

    async fn create_file_system(&self, clients: &Clients, params: &Params) -> Outcome {
        let token = str_param(params, "creation_token").unwrap_or_default();
        let encrypted = bool_param(params, "encrypted");
        let mode =
            str_param(params, "performance_mode").map(aws_sdk_efs::types::PerformanceMode::from);
        let created = clients
            .efs()
            .create_file_system()
            .creation_token(token)
            .set_encrypted(encrypted)
            .set_performance_mode(mode)
            .send()
            .await;
        let created = match created {
            Ok(created) => created,
            Err(error) => return Outcome::from_sdk_error(&error),
        };
        let observed = created.encrypted();
        encryption_state("Encrypted", encrypted, observed)
    }
}
