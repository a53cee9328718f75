"""Benutzer & Rechte (administration only): accounts, roles, locking, passwords, and the audit log."""
import streamlit as st

from dashboard import auth, context, users_view
from dashboard.markdown import plain

viewer = context.page_start()  # refuses (and logs) everyone without the page; every change checks manage_users again
auth.sidebar(viewer)
st.sidebar.title("Planungsatlas Familie")
st.title("Benutzer & Rechte")
if viewer.mode == "demo":
    st.info("Demo-Modus: ohne Anmeldung. Konten gelten erst, wenn der Modus „local“ ist.", icon=":material/science:")
message = st.session_state.pop("users_message", None)
if message:
    st.success(plain(message), icon=":material/check_circle:")

users_tab, roles_tab, audit_tab = st.tabs(["Konten", "Rollen", "Protokoll"])
with users_tab:
    if viewer.mode == "oidc":
        st.info(
            "Anmeldung über das Konto der Organisation (OIDC): Konten und Gruppen verwaltet die Organisation; "
            "welche Gruppe welche Rollen gibt, steht in `config/auth.toml`.",
            icon=":material/badge:",
        )
        st.dataframe(users_view.group_table(), hide_index=True, width="stretch")
    else:
        users = auth.workspace().users()
        if users:
            st.dataframe(users_view.users_table(users), hide_index=True, width="stretch",
                         column_config={"Aktiv": st.column_config.CheckboxColumn()})  # fmt: skip
        left, right = st.columns(2, gap="large")
        with left:
            users_view.edit_user(users)
        with right:
            users_view.add_user_form()
with roles_tab:
    st.markdown("Welche Rolle welche Seiten sieht und was sie darf (aus `config/roles.toml`, geerbte Rechte eingeschlossen).")
    st.dataframe(users_view.roles_table(), hide_index=True, width="stretch",
                 column_config={"Seiten": st.column_config.TextColumn(width="large")})  # fmt: skip
with audit_tab:
    st.markdown("Wer wann was getan hat – auch abgelehnte Anfragen und fehlgeschlagene Anmeldungen.")
    users_view.audit_view()
