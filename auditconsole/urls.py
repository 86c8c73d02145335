"""The console's URLs. Names and query parameters are public API: people bookmark them."""

from __future__ import annotations

from django.urls import path

from auditconsole.views import (
    access,
    activity,
    export,
    index,
    logs,
    manifests,
    record,
    tail,
    tail_stream,
)

app_name = "auditconsole"

urlpatterns = [
    path("", index.IndexView.as_view(), name="index"),
    # Activity (LogEntry)
    path("activity/", activity.ActivityView.as_view(), name="activity"),
    path("activity/facets/", activity.FacetsView.as_view(), name="activity_facets"),
    path("activity/chart/", activity.ChartView.as_view(), name="activity_chart"),
    # Every audit trail, merged (docs/trails.md).
    path("activity/trails/", activity.TrailActivityView.as_view(), name="activity_trails"),
    path("activity/trails/export/", export.TrailExportView.as_view(), name="trails_export"),
    path(
        "activity/trails/export.csv",
        export.TrailExportView.as_view(csv=True),
        name="trails_export_csv",
    ),
    # CSV export: a confirmation step, then the file (docs/export.md).
    path("activity/export/", export.ActivityExportView.as_view(), name="activity_export"),
    path(
        "activity/export.csv",
        export.ActivityExportView.as_view(csv=True),
        name="activity_export_csv",
    ),
    path("user/<int:user_id>/", activity.UserActivityView.as_view(), name="user"),
    path("user/<int:user_id>/facets/", activity.UserFacetsView.as_view(), name="user_facets"),
    path("user/<int:user_id>/chart/", activity.UserChartView.as_view(), name="user_chart"),
    path(
        "user/<int:user_id>/trails/", activity.UserTrailActivityView.as_view(), name="user_trails"
    ),
    path("user/<int:user_id>/summary/", activity.UserSummaryView.as_view(), name="user_summary"),
    path("user/<int:user_id>/exports/", export.UserExportsView.as_view(), name="user_exports"),
    # Export manifests (docs/export.md): one export's, and the key that verifies them all.
    path(
        "exports/<str:export_ref>/manifest.json",
        manifests.ExportManifestView.as_view(),
        name="export_manifest",
    ),
    path("exports/signing-key/", manifests.SigningKeyView.as_view(), name="signing_key"),
    # Who looked (needs view_access): a user's recent searches, an object's viewers.
    path("user/<int:user_id>/searches/", access.UserSearchesView.as_view(), name="user_searches"),
    path(
        "viewed-by/<int:content_type_id>/<path:object_id>/",
        access.ObjectViewersView.as_view(),
        name="object_viewers",
    ),
    # Object ids are text (string and UUID keys, even slashes): <path:> takes them all.
    path(
        "object/<int:content_type_id>/<path:object_id>/",
        activity.ObjectView.as_view(),
        name="object",
    ),
    # Log sources
    path("logs/", logs.SourceListView.as_view(), name="sources"),
    # Before <key>/: "merged" is a reserved source key (check E013).
    path("logs/merged/", logs.MergedBrowseView.as_view(), name="merged"),
    path("logs/merged/export/", export.MergedExportView.as_view(), name="merged_export"),
    path(
        "logs/merged/export.csv",
        export.MergedExportView.as_view(csv=True),
        name="merged_export_csv",
    ),
    path("logs/<slug:key>/", logs.BrowseView.as_view(), name="source"),
    path("logs/<slug:key>/facets/", logs.FacetsView.as_view(), name="source_facets"),
    path("logs/<slug:key>/record/<str:ref>/", record.RecordView.as_view(), name="record"),
    path("logs/<slug:key>/export/", export.SourceExportView.as_view(), name="source_export"),
    path(
        "logs/<slug:key>/export.csv",
        export.SourceExportView.as_view(csv=True),
        name="source_export_csv",
    ),
    # Live tail
    path("tail/", tail.TailIndexView.as_view(), name="tail_index"),
    # Before <key>/, as for the logs: "merged" is a reserved source key.
    path("tail/merged/", tail.MergedTailView.as_view(), name="tail_merged"),
    path(
        "tail/merged/stream/", tail_stream.MergedTailStreamView.as_view(), name="tail_merged_stream"
    ),
    path("tail/<slug:key>/", tail.TailView.as_view(), name="tail"),
    path("tail/<slug:key>/stream/", tail_stream.TailStreamView.as_view(), name="tail_stream"),
]
