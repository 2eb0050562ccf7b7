"""The request types of the service's views.

A page behind ``login_required`` (and the two-factor middleware) always has a signed-in user, so
its views take an ``AuthenticatedHttpRequest`` and read ``request.user`` as a ``User``, the
pattern of healthchecks' ``hc.accounts``; API views get the same from ``ActorAPIView.actor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.views import APIView

from mda.access import actor_of

if TYPE_CHECKING:
    from mda.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class ActorAPIView(APIView):
    """API views behind ``IsAuthenticated``: ``self.actor`` is the signed-in user."""

    @property
    def actor(self) -> User:
        return actor_of(self.request)


class ActorListAPIView(ActorAPIView, ListAPIView):
    pass


class ActorRetrieveAPIView(ActorAPIView, RetrieveAPIView):
    pass


class LabelledSerializer(serializers.Serializer):
    """A serializer with a field named ``label`` (a choice's, a member's, a figure's). DRF's
    metaclass takes declared fields off the class, so at run time that field never shadows
    ``Field.label`` (the field's own caption); this tells the type checker so, once."""

    label: Any


__all__ = [
    "ActorAPIView",
    "ActorListAPIView",
    "ActorRetrieveAPIView",
    "AuthenticatedHttpRequest",
    "LabelledSerializer",
]
