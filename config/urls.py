"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

# Password reset is left out on purpose: the hub sends no email.
account_urls = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

handler400 = "core.request_limits.bad_request"

urlpatterns = [
    path("", include("core.urls")),
    path("", include("integrations.urls")),
    path("", include("ats.urls")),
    path("", include("crm.urls")),
    path("", include("projects.urls")),
    path("", include("apis.urls")),
    path("accounts/", include(account_urls)),
    path("admin/", admin.site.urls),
]
