//! Meetings (三会一课 and all organizational life), pages and API: one file per
//! concern. Compliance and 第一议题 follow-up are areas of their own
//! (`crate::compliance`, `crate::first_agenda`).

mod api;
mod attachments;
mod attendance;
mod checkin;
mod detail;
mod held;
mod kinds;
mod list;
mod record;

use self::api::*;
use self::attachments::*;
use self::attendance::*;
use self::checkin::*;
pub(crate) use self::detail::detail_view_with;
use self::detail::*;
use self::held::*;
use self::kinds::*;
use self::list::*;
use self::record::*;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use xianfeng_core::meeting::{MeetingKind, MeetingKinds, MeetingStatus, Observer, PlanInput, Presence};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::today_cn;
use xianfeng_store::meeting::{
    self as store_meeting, AttendanceMark, AttendeeRow, CheckinOutcome, MeetingFilter, MeetingRow, RecordInput,
};
use xianfeng_store::org::{self as store_org};
use xianfeng_store::{Page, StoreError};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::{self, Errors};
use crate::layout::{Layout, Pager, flash_text, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list_page).post(plan_submit))
        .route("/meetings/new", get(plan_page))
        .route("/meetings/held", get(held_page).post(held_submit))
        .route("/meetings/{id}", get(detail_page))
        .route("/meetings/{id}/record", get(record_page).post(record_submit))
        .route("/meetings/{id}/cancel", post(cancel_submit))
        .route("/meetings/{id}/attendance/{member_id}", get(attendance_page).post(attendance_submit))
        .route("/meetings/{id}/attendees", post(attendees_submit))
        .route("/meetings/{id}/qr.svg", get(qr_svg))
        .route("/meetings/{id}/checkin-screen", get(checkin_screen))
        .route("/checkin/{id}", get(checkin_page).post(checkin_submit))
        .route("/me/meetings", get(my_meetings_page))
        .route("/rules/meeting-kinds", get(kinds_page).post(kinds_submit))
        .route("/meetings/{id}/attachments", post(attachment_upload))
        .route("/meetings/{id}/attachments/{aid}", get(attachment_download))
        .route("/meetings/{id}/attachments/{aid}/delete", post(attachment_delete))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(api_list).post(api_plan))
        .route("/meetings/held", post(api_held))
        .route("/meetings/{id}", get(api_get))
        .route("/meetings/{id}/record", post(api_record))
        .route("/meetings/{id}/cancel", post(api_cancel))
        .route("/meetings/{id}/attendance", post(api_correct))
        .route("/meetings/{id}/attendees", post(api_add_attendees))
        .route("/meetings/{id}/checkins", post(api_checkin))
        .route("/meeting-kinds", get(api_kinds))
        .route("/me/meetings", get(api_my_meetings))
        .route("/meetings/{id}/attachments", post(api_attachment_upload))
        .route("/meetings/{id}/attachments/{aid}", get(attachment_download).delete(api_attachment_delete))
}

pub(crate) fn flash(code: &str) -> &'static str {
    match code {
        "planned" => "会议已安排",
        "recorded" => "会议记录已保存",
        "cancelled" => "会议已取消",
        "attendees" => "应到人员已更新",
        "task" => "落实任务已登记",
        "uploaded" => "附件已上传",
        "deleted" => "附件已删除",
        "task_updated" => "落实任务已更新",
        other => flash_text(other),
    }
}

#[derive(Deserialize, Default)]
struct FlashQ {
    #[serde(default)]
    ok: String,
    /// Whose attendance was corrected (`ok=attendance`).
    #[serde(default)]
    member: String,
}

pub(crate) async fn kinds_today(state: &AppState) -> Result<MeetingKinds> {
    Ok(store_meeting::kinds_on(&state.store, today_cn()).await?)
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "meeting",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::OrgLife, 10, "会议活动", "/meetings", STAFF),
            MenuEntry::new(Section::OrgLife, 20, "安排会议", "/meetings/new", STAFF),
            MenuEntry::new(Section::OrgLife, 25, "补录会议", "/meetings/held", STAFF),
            MenuEntry::new(Section::Mine, 20, "我的组织生活", "/me/meetings", MEMBER),
        ],
        operations: &[
            ("get", "/meeting-kinds", "meeting", "现行会议类型与频次（规则数据）", "", 200, "Page<MeetingKind>"),
            (
                "get",
                "/meetings",
                "meeting",
                "会议检索（组织子树、类型、状态、年度、主题；分页）",
                "",
                200,
                "Page<Meeting>",
            ),
            ("post", "/meetings", "meeting", "安排会议（应到人员按会议类型自动带出）", "MeetingPlan", 201, "Meeting"),
            (
                "post",
                "/meetings/held",
                "meeting",
                "补录已召开的会议：会议情况、会议记录与出勤一次保存（应到人员按会议类型带出；attendance 未列出的应到人员记为缺席）",
                "MeetingHeld",
                201,
                "Meeting",
            ),
            ("get", "/meetings/{id}", "meeting", "会议详情：出勤、列席、法定人数、签到链接", "", 200, "MeetingDetail"),
            (
                "post",
                "/meetings/{id}/record",
                "meeting",
                "填写或更正会议记录与出勤（带 version）",
                "MeetingRecord",
                200,
                "Meeting",
            ),
            (
                "post",
                "/meetings/{id}/cancel",
                "meeting",
                "取消会议（不再计入；须带 version）",
                "MeetingCancel",
                200,
                "Meeting",
            ),
            (
                "post",
                "/meetings/{id}/attendance",
                "meeting",
                "更正一人出勤（记入审计；须带 version）",
                "AttendanceCorrection",
                200,
                "Meeting",
            ),
            (
                "post",
                "/meetings/{id}/attendees",
                "meeting",
                "添加应到人员（本组织范围内党员；须带 version）",
                "MemberIds",
                200,
                "AttendeesAdded",
            ),
            (
                "post",
                "/meetings/{id}/checkins",
                "meeting",
                "扫码签到（党员本人；重复签到只记一次）",
                "Checkin",
                200,
                "CheckinResult",
            ),
            ("get", "/me/meetings", "meeting", "我的组织生活（党员本人）", "", 200, "Page<MyMeeting>"),
            (
                "post",
                "/meetings/{id}/attachments",
                "meeting",
                "上传附件（multipart 字段 file，或请求体为文件并带 ?name=；按内容识别类型，≤10MB）",
                "File",
                201,
                "Attachment",
            ),
            ("get", "/meetings/{id}/attachments/{aid}", "meeting", "下载附件（始终作为附件下载）", "", 200, "File"),
            ("delete", "/meetings/{id}/attachments/{aid}", "meeting", "删除附件", "", 200, "Ok"),
        ],
    }
};
