from decimal import Decimal, InvalidOperation

from django import template

from costs.budgets import money as format_money

register = template.Library()


@register.filter
def money(value) -> str:
    """$1,234.50; an empty value stays empty."""
    if value in (None, ""):
        return ""
    try:
        return format_money(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def signed_money(value) -> str:
    """+$12.00 / -$3.50, for a difference."""
    if value in (None, ""):
        return ""
    amount = Decimal(str(value))
    return ("+" if amount >= 0 else "") + format_money(amount)
