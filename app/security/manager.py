"""The portal's security manager: FAB's DB auth plus what FAB leaves out.

* account lockout after ``AUTH_LOCKOUT_THRESHOLD`` failed logins (FAB only
  counts failures);
* the password policy on every user-creation path (FAB checks only its forms);
* a per-request cache of permission answers (FAB asks the database once per
  menu item and button: ~20 queries a page, FAB issue #1807);
* the user model with scope columns and a user form to edit them;
* server-side sessions (``app.security.services``): a record per login,
  checked with the user's load on every request and by the JWT blocklist
  hook on every API call;
* the one rate limiter (FAB's Flask-Limiter) on every authentication path:
  web login, API login, token refresh, password change.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from flask import current_app, g, has_request_context
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import inspect as sa_inspect
from werkzeug.security import check_password_hash

from .. import clock, fab_seam
from ..extensions import get_app
from . import signals
from .models import PortalUser
from .passwords import password_problem

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return clock.utcnow()


class PortalSecurityManager(fab_seam.SecurityManagerSeam, SecurityManager):
    """Authentication, lockout, sessions, roles as code. The administration
    views are added above this layer (``app.common.user_admin``)."""

    user_model = PortalUser

    # --- schema ----------------------------------------------------------------
    def create_roles_not_tables(self) -> None:
        """Create roles, never tables: the schema belongs to Alembic.

        FAB would ``create_all`` when its tables are missing, after which
        ``flask db upgrade`` fails on existing tables. On an empty database we
        do nothing and ``flask portal init-db`` does it in the right order.
        """
        engine = self.session.get_bind(mapper=None, clause=None)
        if "ab_user" not in sa_inspect(engine).get_table_names():
            log.warning("Database schema missing: run `flask portal init-db`.")
            return
        BaseSecurityManager.create_db(self)

    # --- permission sync ------------------------------------------------------
    def add_permissions_view(self, base_permissions: list[str] | None, view_menu: str) -> None:
        """FAB's sync, adding permissions and never deleting one at start-up.

        FAB replaces a resource's permissions with those of the view being
        registered, and takes each deleted one away from every role. Here a
        resource is shared: a ModelView and a ModelRestApi have one
        ``class_permission_name`` (the API's sync deleted the view's
        ``can_export``), and a register's menu item has the resource's name
        (FAB's menu sync adds ``menu_access``, the view sync deleted it).
        Every start deleted and re-created those rows, so a role kept in the
        database lost them, and four workers starting at once logged
        duplicate-key errors. A permission no view exposes any more stays
        until ``flask fab security-cleanup``.
        """
        union = set(base_permissions or [])
        for view in self.appbuilder.baseviews:
            if getattr(view, "class_permission_name", None) == view_menu:
                union |= set(view.base_permissions or [])
        existing = self.find_view_menu(view_menu)
        if existing is not None:
            union |= {
                pv.permission.name
                for pv in self.find_permissions_view_menu(existing)
                if pv.permission is not None
            }
        super().add_permissions_view(sorted(union), view_menu)

    # --- authentication ------------------------------------------------------
    def auth_user_db(self, username: str | None, password: str) -> Any:
        """FAB's DB login, refused while the account is locked.

        A locked account answers exactly like a wrong password (no user
        enumeration), and still costs one password-hash check.
        """
        user = None
        if username:
            user = self.find_user(username=username) or self.find_user(email=username)
        if user is not None and user.locked_until is not None:
            if user.locked_until > _now():
                check_password_hash(
                    current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password"
                )
                log.warning("Login refused for locked account %s", user.username)
                self.on_user_login_failed(user)
                return None
            # The lock expired: start counting afresh.
            user.locked_until = None
            user.fail_login_count = 0
            self.update_user(user)

        result = super().auth_user_db(username, password)
        if result is None and user is None:
            signals.sign_in_refused.send(get_app(), user=None, username=username)
        if result is None and user is not None and user.is_active:
            threshold = current_app.config.get("AUTH_LOCKOUT_THRESHOLD", 5)
            if (user.fail_login_count or 0) >= threshold:
                minutes = current_app.config.get("AUTH_LOCKOUT_MINUTES", 15)
                user.locked_until = _now() + dt.timedelta(minutes=minutes)
                self.update_user(user)
                log.warning("Account %s locked for %s minutes", user.username, minutes)
        return result

    # --- audit hooks (FAB 5.2.1+) ------------------------------------------------
    def on_user_login(self, user: Any) -> None:
        from flask import has_request_context, request, session

        from . import services

        if has_request_context():
            if request.path.startswith("/api/"):
                # The API login's tokens carry this session's id (_token_claims).
                g._portal_new_sid = services.start_session(user, services.API)
            else:
                # The lifetime clock starts now (app.security.session enforces it).
                session.permanent = True
                session["_started"] = session["_last_seen"] = time.time()
                session["_sid"] = services.start_session(user, services.WEB)
        signals.signed_in.send(get_app(), user=user)

    def on_user_login_failed(self, user: Any) -> None:
        signals.sign_in_refused.send(get_app(), user=user, username=user.username)

    def on_user_logout(self, user: Any) -> None:
        from flask import has_request_context, session

        from . import services

        # Signing out signs the user out everywhere: every browser session
        # and every API token of theirs ends (a cookie or token copied
        # before the logout must not outlive it).
        if has_request_context():
            session.pop("_sid", None)
        if user is not None and getattr(user, "id", None) is not None:
            services.end_user_sessions(user.id, "logout")
        if user is not None and getattr(user, "is_authenticated", False):
            signals.signed_out.send(get_app(), user=user)

    # --- sessions and tokens (app.security.services) ----------------------------------
    def load_user(self, pk: Any) -> Any:
        """Flask-Login's loader: the user and the cookie's session record in
        one statement; a missing, ended, expired or idle session signs out."""
        if not has_request_context():
            return super().load_user(pk)
        from flask import session
        from sqlalchemy import and_, select

        from . import services
        from .models import UserSession

        sid = session.get("_sid")
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        user_model = self.user_model
        statement = (
            select(user_model, UserSession)
            .outerjoin(
                UserSession,
                and_(
                    UserSession.id == services.session_hash(sid or ""),
                    UserSession.user_id == user_model.id,
                ),
            )
            .where(user_model.id == pk)
            .options(*self._user_load_options())
        )
        row = self.session.execute(statement).unique().first()
        if row is None:
            return None
        user, record = row
        reason = services.problem(record if sid else None, pk)
        if reason is not None:
            g._portal_session_refused = reason
            return None
        services.touch(record)
        return user if user.is_active else None

    def load_user_jwt(self, _jwt_header: dict[str, Any], jwt_data: dict[str, Any]) -> Any:
        """The token's user (its session was checked by the blocklist hook)."""
        user = self.get_user_by_id(int(jwt_data["sub"]))
        if user and user.is_active:
            g.user = user
            return user
        return None

    def create_jwt_manager(self, app: Any) -> Any:
        from . import services

        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.token_in_blocklist_loader(
            lambda _header, payload: services.token_revoked(payload)
        )
        jwt_manager.additional_claims_loader(self._token_claims)
        return jwt_manager

    @staticmethod
    def _token_claims(_identity: Any) -> dict[str, Any]:
        """Every token names its login's session: a new one at login, the
        refresh token's own when refreshing."""
        sid = g.get("_portal_new_sid") if has_request_context() else None
        if sid is None and has_request_context():
            from flask_jwt_extended import get_jwt

            try:
                sid = get_jwt().get("sid")
            except RuntimeError:
                sid = None
        return {"sid": sid} if sid else {}

    def register_views(self) -> None:
        """FAB's views, with the login rate limit on every authentication
        path, not only the login form: one limiter, one storage."""
        super().register_views()
        if not self.is_auth_limited:
            return
        from flask_appbuilder.security.api import SecurityApi
        from flask_appbuilder.security.views import ResetMyPasswordView, ResetPasswordView

        for view in self.appbuilder.baseviews:
            if isinstance(view, (SecurityApi, ResetMyPasswordView, ResetPasswordView)):
                self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)

    # --- user creation -------------------------------------------------------
    def add_user(
        self,
        username: str,
        first_name: str,
        last_name: str,
        email: str,
        role: Any = None,
        password: str = "",
        hashed_password: str = "",
        groups: Any = None,
        commit: bool = True,
    ) -> Any:
        """FAB's ``add_user`` with the password policy applied (CLI, seeding)."""
        if password and not hashed_password:
            problem = password_problem(password, username)
            if problem:
                raise PasswordComplexityValidationError(problem)
        return super().add_user(
            username,
            first_name,
            last_name,
            email,
            role=role,
            password=password,
            hashed_password=hashed_password,
            groups=groups,
            commit=commit,
        )

    def reset_password(self, userid: int, password: str) -> None:
        problem = password_problem(password)
        if problem:
            raise PasswordComplexityValidationError(problem)
        super().reset_password(userid, password)

    # --- the signed-in user, loaded on every request ----------------------------
    def get_user_by_id(self, pk: Any) -> Any:
        """The user with oblast, provider, roles and groups in one statement, one level deep.

        The models' default eager loads cascade (user -> provider -> hromada ->
        raion -> oblast: seven joins), which cost more than the rest of a list
        page's SQL together; nothing per request needs more than the first level.
        """
        return self.session.get(self.user_model, pk, options=self._user_load_options())

    def _user_load_options(self) -> tuple[Any, ...]:
        """Built once: SQLAlchemy's loader options are immutable, and building
        four option paths costs a fifth of the user's load."""
        options: tuple[Any, ...] | None = getattr(self, "_portal_user_options", None)
        if options is None:
            from sqlalchemy.orm import joinedload

            user = self.user_model
            options = self._portal_user_options = (
                joinedload(user.oblast).lazyload("*"),
                joinedload(user.provider).lazyload("*"),
                # roles and groups are read by every permission check: same statement
                joinedload(user.roles).lazyload("*"),
                joinedload(user.groups).lazyload("*"),
            )
        return options

    # --- permission checks ----------------------------------------------------
    def user_has_access(self, user: Any, permission_name: str, view_name: str) -> bool:
        """``has_access`` for a given user (not the request's): the one public
        door to FAB's private ``_has_view_access`` for the rest of the portal."""
        return bool(self.cached_view_access(user, permission_name, view_name))

    def cached_view_access(self, user: Any, permission_name: str, view_name: str) -> bool:
        """FAB's check, remembered for the life of the process when every role
        of the user is built in: built-in roles are regular expressions from
        the configuration (``FAB_ROLES``), fixed at start-up, so the answer
        depends on the role names alone. A role stored in the database (which
        an administrator may edit) is asked every time."""
        names = self._builtin_role_names(user)
        if names is None:
            return self.fab_view_access(user, permission_name, view_name)
        key = (names, permission_name, view_name)
        answer = self._builtin_access.get(key)
        if answer is None:
            answer = self._builtin_access[key] = self.fab_view_access(
                user, permission_name, view_name
            )
        return answer

    @property
    def _builtin_access(self) -> dict[tuple[tuple[str, ...], str, str], bool]:
        cache = self.__dict__.get("_portal_builtin_access")
        if cache is None:
            cache = self.__dict__["_portal_builtin_access"] = {}
        return cache

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """Memoise answers for the length of one request."""
        if not has_request_context():
            allowed: bool = super().has_access(permission_name, view_name)
            return allowed
        cache: dict[tuple[Any, str, str], bool] = g.setdefault("_portal_access_cache", {})
        # The user can change within one request (FAB's API decorator asks
        # as the anonymous browser user first, then verifies the JWT).
        user = getattr(g, "user", None)
        who = user.id if user is not None and getattr(user, "is_authenticated", False) else None
        key = (who, permission_name, view_name)
        answer: bool | None = cache.get(key)
        if answer is None:
            if (
                who is not None
                and user is not None
                and user.is_active
                and not fab_seam.is_api_key_request()
            ):
                # An active user with built-in roles only: FAB's answer depends
                # on the role names alone (see cached_view_access).
                names = self._builtin_role_names(user)
                if names is not None:
                    answer = self._builtin_access.get((names, permission_name, view_name))
            if answer is None:
                answer = super().has_access(permission_name, view_name)
            cache[key] = answer
        return answer

    def _builtin_role_names(self, user: Any) -> tuple[str, ...] | None:
        """The user's sorted role names when every one is built in, else None
        (a role kept in the database: FAB's full check applies). Worked out
        once per request and user."""
        memo = g.get("_portal_builtin_names") if has_request_context() else None
        if memo is not None and memo[0] is user:
            remembered: tuple[str, ...] | None = memo[1]
            return remembered
        names: tuple[str, ...] | None = tuple(
            sorted({role.name for role in self.get_user_roles(user)})
        )
        if not names or any(name not in self.builtin_roles for name in names):
            names = None
        if has_request_context():
            g._portal_builtin_names = (user, names)
        return names
