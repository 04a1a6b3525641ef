"""`{% keep "content" %}…{% endkeep %}`: the layout marks the blocks a cached page keeps
(core.pagecache). It renders its contents as they are; only while a `@cached_page` view renders does it
also hand a copy of the output to that view."""

from django import template

register = template.Library()


class KeepNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        output = self.nodelist.render(context)
        request = context.get("request")
        kept = getattr(request, "_capture_blocks", None)
        if kept is not None:
            kept[self.name] = str(output)
        return output


@register.tag
def keep(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('用法：{% keep "名称" %}…{% endkeep %}')
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(bits[1][1:-1], nodelist)
