"""Every API list is paged the same way: ?page=N (from 1) and ?page_size=M (default 50, at most
500). A page number or size that is not a whole number in range is a 400 naming the parameter,
not DRF's bare 404 "Invalid page."."""

from django.core.paginator import InvalidPage
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE = 50
PAGE_SIZE_MAX = 500


def _whole(value: str, *, name: str, low: int, high: int | None = None) -> int:
    within = f"between {low} and {high}" if high is not None else f"{low} or more"
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({name: [f"{name} must be a whole number {within}."]}) from None
    if number < low or (high is not None and number > high):
        raise ValidationError({name: [f"{name} must be a whole number {within}, not {number}."]})
    return number


class Pages(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE_MAX

    def get_page_size(self, request) -> int:
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        return _whole(asked, name=self.page_size_query_param, low=1, high=self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        asked = request.query_params.get(self.page_query_param, "1")
        number = _whole(asked, name=self.page_query_param, low=1)
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise ValidationError(
                {
                    self.page_query_param: [
                        f"There is no page {number}: the last page is {paginator.num_pages}."
                    ]
                }
            ) from None
        return list(self.page)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
