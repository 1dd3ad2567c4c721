"""Fixtures shared by every level of tests."""

import pytest
from django.contrib.auth import get_user_model

pytest_plugins = ["tests.sandbox_fixtures"]


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="alice", password="correct-horse-42")


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_superuser(username="root", password="correct-horse-42")


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
