//! The OpenAPI 3.1 document, generated from the handlers and the wire
//! types, served at `/openapi.json` and checked in (`openapi.json`, kept
//! fresh by a test).

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        for name in ["bearer", "admin"] {
            c.add_security_scheme(
                name,
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "counter-sync v1 (Window Clerk reference platform)",
        description = "Push/pull sync between window clients and the platform (sync-protocol.md), and the platform's own side: enrolment, departments, online applications, catalogue.",
        license(name = "Apache-2.0")
    ),
    paths(
        crate::auth::enroll, crate::auth::me, crate::auth::login, crate::auth::refresh,
        crate::push::push, crate::pull::pull, crate::pull::snapshot,
        crate::pull::manifest, crate::pull::catalogue_version,
        crate::pull::calendar_manifest, crate::pull::calendar_year, crate::admin::publish_calendar,
        crate::blobs::head_blob, crate::blobs::get_blob, crate::blobs::create_upload,
        crate::blobs::head_upload, crate::blobs::patch_upload, crate::blobs::delete_upload,
        crate::admin::add_office, crate::admin::enrolment_code, crate::admin::add_user, crate::admin::set_user_disabled, crate::admin::unlock_user, crate::admin::unlock_device, crate::auth::office_users,
        crate::admin::publish_catalogue, crate::admin::withdraw_catalogue, crate::admin::online_application,
        crate::admin::route_case, crate::admin::node_decision, crate::admin::get_case,
    ),
    components(schemas(platform_api::AttachPayload, platform_api::AttachmentInfo, platform_api::UpdateFieldsPayload, platform_api::FieldChange, platform_api::FieldConflict)),
    modifiers(&Security)
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// What the windows' listener serves: the document without `/v1/admin`,
/// which that listener does not route (the admin API has its own).
pub fn windows_document() -> utoipa::openapi::OpenApi {
    let mut d = document();
    d.paths.paths.retain(|p, _| !p.starts_with("/v1/admin"));
    d
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(windows_document())
}

/// What the admin listener serves: its own routes only.
pub fn admin_document() -> utoipa::openapi::OpenApi {
    let mut d = document();
    d.paths.paths.retain(|p, _| p.starts_with("/v1/admin"));
    d
}

pub async fn serve_admin() -> Json<utoipa::openapi::OpenApi> {
    Json(admin_document())
}
