"""Answers built from a model instance plus values computed for the answer (a detail's versions,
decisions, `seen`): the schema's resolvers keep reading the instance, the extra names come first."""


class With:
    def __init__(self, obj, **extra):
        self._obj, self._extra = obj, extra

    def __getattr__(self, name):
        extra = self.__dict__.get("_extra", {})
        if name in extra:
            return extra[name]
        return getattr(self.__dict__["_obj"], name)
