package web

import (
	"cma/internal/attendance"
	"net/http"
	"net/url"

	"cma/internal/payment"

	"cma/internal/auth/websession"
	"cma/internal/domain"
	"cma/internal/evaluation"
	"cma/internal/web/views"
)

// Handler returns the whole site. Cross-origin protection is outermost so that no
// state-changing request from another site reaches a handler; then the security
// headers, set on every response; then compression, which sees every header the
// handlers and the session cookie add before it decides (and a panic's error
// page); sessions are loaded next, then the signed-in user. Metrics count each
// route's status inside the router.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes = nil
	// A route reads a small body unless it says otherwise: a sign-in is
	// counted before its body is read, free text takes more, a proof most.
	h := func(pattern string, a access, fn http.HandlerFunc, in ...input) {
		body := smallForm
		if len(in) > 0 {
			body = in[0]
		}
		s.handle(mux, pattern, a, body, fn)
	}

	// Public catalogue (CAT-1..7).
	h("GET /{$}", public, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/catalogue", http.StatusSeeOther)
	})
	h("GET /catalogue", public, s.searchPage)
	h("GET /catalogue/cours/{id}", public, s.coursePage)
	h("GET /catalogue/cours/{id}/seances.ics", public, s.courseICS)
	h("GET /catalogue/brochure", public, s.brochurePage)
	h("GET /catalogue/brochure.pdf", public, s.brochurePDF)
	h("POST /langue", public, s.switchLanguage)
	h("GET "+s.cssURL, public, s.serveCSS)
	h("GET /static/register.js", public, s.serveRegisterScript)
	h("GET /favicon.svg", public, s.serveFaviconSVG)
	h("GET /favicon.ico", public, s.serveFaviconICO)

	// The pages every public site has, linked from the footer (info.go).
	h("GET /aide", public, s.infoPage("info.help.title", views.HelpFR, views.HelpEN))
	h("GET /mentions-legales", public, s.infoPage("info.legal.title", views.LegalFR, views.LegalEN))
	h("GET /donnees-personnelles", public, s.infoPage("info.privacy.title", privacyFR, privacyEN))
	h("GET /accessibilite", public, s.infoPage("info.a11y.title", views.AccessibilityFR, views.AccessibilityEN))

	// Signing in and out (ACC-3, ACC-5, ROLE-5).
	h("GET /connexion", public, s.signInPage)
	h("POST /connexion/fournisseur", public, s.signInWithProvider, signInForm)
	h("GET /connexion/retour", public, s.providerCallback)
	h("GET /connexion/personnel", public, s.staffSignInPage)
	h("POST /connexion/personnel", public, s.staffSignIn, signInForm)
	h("GET /connexion/personnel/code", public, s.secondFactorPage)
	h("POST /connexion/personnel/code", public, s.secondFactor)
	h("POST /deconnexion", public, s.signOut)
	h("POST "+providerLogoutPath, public, s.backchannelLogout) // ACC-5 area: sign-out at the provider (providerlogout.go)
	h("GET "+providerLogoutPath, public, s.frontchannelLogout)
	h("POST /deconnexion-partout", signedIn, s.signOutEverywhere)
	h("GET "+keptPage, signedIn, s.keptFormPage) // a form posted after its session expired (keptform.go)
	h("POST "+keptPage+"/abandonner", signedIn, s.abandonKeptForm)

	// The candidate's own space (ROLE-1, ACC-4).
	h("GET /mon-profil", signedIn, s.profilePage)
	h("POST /mon-profil", signedIn, s.saveProfile, textForm)

	// The basket and candidatures (CAN-1..9, ROLE-1).
	h("GET /panier", can(domain.ActApply, selfResource), s.basketPage)
	h("POST /panier/ajouter", can(domain.ActApply, selfResource), s.withTarget(s.ownBasket, s.basketAdd))
	h("POST /panier/retirer", can(domain.ActApply, selfResource), s.withTarget(s.ownBasket, s.basketRemove))
	h("POST /panier/recapitulatif", can(domain.ActApply, selfResource), s.withTarget(s.ownBasket, s.basketPrepare), proofForm)
	h("GET /panier/recapitulatif", can(domain.ActApply, selfResource), s.withTarget(s.ownBasket, s.recapPage))
	h("POST /panier/valider", can(domain.ActApply, selfResource), s.withTarget(s.ownBasket, s.basketValidate), proofForm)
	h("GET /mes-candidatures", can(domain.ActApply, selfResource), s.candidaturesPage)
	h("GET /mes-candidatures/{id}/annuler", can(domain.ActApply, selfResource), s.cancelPage)
	h("POST /mes-candidatures/{id}/annuler", can(domain.ActApply, selfResource), s.cancelCandidature)
	// The waiting lists (SEL-4, SEL-5): offers of freed seats, places given up.
	h("GET /mes-offres/{id}", can(domain.ActApply, selfResource), s.offerPage)
	h("POST /mes-offres/{id}/accepter", can(domain.ActApply, selfResource), s.answerOffer(true))
	h("POST /mes-offres/{id}/refuser", can(domain.ActApply, selfResource), s.answerOffer(false))
	h("GET /mes-candidatures/{id}/renoncer", can(domain.ActApply, selfResource), s.giveUpPage)
	h("POST /mes-candidatures/{id}/renoncer", can(domain.ActApply, selfResource), s.giveUp)
	// Day changes (SEL-8): asked on the first day of classes.
	h("GET /mes-candidatures/{id}/changer-de-jour", can(domain.ActApply, selfResource), s.dayChangePage)
	h("POST /mes-candidatures/{id}/changer-de-jour", can(domain.ActApply, selfResource), s.askDayChange, textForm)

	// Enrolment and payment (PAY-1..6, CAN-9): "historique et paiement",
	// online by card through PayFiP, whose server notifies and whose page
	// sends the browser back (both public: they carry an idOp only, and
	// settling asks PayFiP).
	h("GET "+feesPath, can(domain.ActApply, selfResource), s.feesPage)
	h("POST "+feesPath+"/{id}/payer", can(domain.ActApply, selfResource), s.payOnline)
	h("GET "+feesPath+"/{id}/carte", can(domain.ActApply, selfResource), s.cardPage)
	h("GET "+feesPath+"/{id}/carte.pdf", can(domain.ActApply, selfResource), s.cardPDF)
	// The entrance's scan of a card's QR code (PAY-6).
	h("GET "+payment.ScanPath+"{token}", can(domain.ActScanCard, nil), s.scanPage)
	h("POST "+payment.NotificationPath, public, s.payfipNotification)
	h("GET "+payment.ReturnPath, public, s.payfipReturn)
	h("POST "+payment.ReturnPath, public, s.payfipReturn)
	// payextra (PAY-2, PAY-4, PAY-7): receipts, a third party's one-use
	// payment link (public: the token is the credential, checked by its
	// hash), attestations on request and their public verification.
	h("GET "+feesPath+"/{id}/recu.pdf", can(domain.ActApply, selfResource), s.ownReceiptPDF)
	h("GET "+feesPath+"/{id}/recu", can(domain.ActApply, selfResource), s.ownReceiptPage)
	h("POST "+feesPath+"/candidature/{cand}/attestation-cout", can(domain.ActApply, selfResource), s.askCostAttestation)
	h("GET "+feesPath+"/candidature/{cand}/attestation-cout", can(domain.ActApply, selfResource), s.costAttestation(false))
	h("GET "+feesPath+"/candidature/{cand}/attestation-cout.pdf", can(domain.ActApply, selfResource), s.costAttestation(true))
	h("GET "+feesPath+"/{id}/attestation-cout", can(domain.ActApply, selfResource), s.ownAttestation(payment.AttestCost, false))
	h("GET "+feesPath+"/{id}/attestation-paiement", can(domain.ActApply, selfResource), s.ownAttestation(payment.AttestPayment, false))
	h("POST "+feesPath+"/{id}/lien-tiers", can(domain.ActApply, selfResource), s.makePaymentLink)
	h("POST "+feesPath+"/{id}/attestation-cout", can(domain.ActApply, selfResource), s.askAttestation(payment.AttestCost))
	h("POST "+feesPath+"/{id}/attestation-paiement", can(domain.ActApply, selfResource), s.askAttestation(payment.AttestPayment))
	h("GET "+feesPath+"/{id}/attestation-cout.pdf", can(domain.ActApply, selfResource), s.ownAttestation(payment.AttestCost, true))
	h("GET "+feesPath+"/{id}/attestation-paiement.pdf", can(domain.ActApply, selfResource), s.ownAttestation(payment.AttestPayment, true))
	h("GET "+payment.LinkPath+"{token}", public, s.thirdPartyPage)
	h("POST "+payment.LinkPath+"{token}", public, s.payByLink)
	h("GET "+thirdPartyResultPath, public, s.thirdPartyResult)
	h("GET "+payment.VerifyPath+"{token}", public, s.attestationCheckPage)
	h("GET /back-office/cours/{id}/inscriptions/paiements/{enrolment}/recu.pdf", can(domain.ActManagePayments, courseResource), s.staffReceiptPDF)

	// Back office (ROLE-2..7).
	h("GET /back-office", can(domain.ActBackOffice, nil), s.backOfficeHome)
	h("GET /back-office/personnes", can(domain.ActReadPersonFile, nil), s.peopleSearch)
	h("GET /back-office/personnes/{id}", can(domain.ActReadPersonFile, personResource), s.personFile)
	h("POST /back-office/personnes/{id}/identite", can(domain.ActCorrectIdentity, personResource), s.correctIdentity, textForm)
	h("GET /back-office/doublons", can(domain.ActReviewDuplicates, nil), s.duplicatesPage)
	h("POST /back-office/doublons/{id}", can(domain.ActReviewDuplicates, nil), s.decideDuplicate, textForm)
	h("GET "+staffSignInsPath, can(domain.ActManageIdentities, nil), s.staffSignInsPage)
	h("POST "+staffSignInsPath+"/{id}", can(domain.ActManageIdentities, nil), s.decideStaffSignIn, textForm)
	h("POST /back-office/personnes/{id}/identites/dissocier", can(domain.ActManageIdentities, personResource), s.unlinkIdentity, textForm)
	h("POST /back-office/personnes/{id}/identites/lier", can(domain.ActManageIdentities, personResource), s.linkIdentity, textForm)
	h("GET /back-office/journal", can(domain.ActReadAudit, nil), s.auditPage)
	h("GET "+mailPath, can(domain.ActManageEmails, nil), s.mailPage)
	h("POST "+mailPath+"/{id}/renvoyer", can(domain.ActManageEmails, nil), s.resendMail, textForm)
	h("GET /back-office/inscription-assistee", can(domain.ActAssistRegistration, nil), s.assistedPage)
	h("POST /back-office/inscription-assistee", can(domain.ActAssistRegistration, nil), s.assistedCreate, textForm)
	h("GET /back-office/inscription-assistee/{id}", can(domain.ActAssistRegistration, personResource), s.withTarget(s.assistedBasket, s.basketGet))
	h("POST /back-office/inscription-assistee/{id}/ajouter", can(domain.ActAssistRegistration, personResource), s.withTarget(s.assistedBasket, s.basketAdd))
	h("POST /back-office/inscription-assistee/{id}/retirer", can(domain.ActAssistRegistration, personResource), s.withTarget(s.assistedBasket, s.basketRemove))
	h("POST /back-office/inscription-assistee/{id}/recapitulatif", can(domain.ActAssistRegistration, personResource), s.withTarget(s.assistedBasket, s.basketPrepare), proofForm)
	h("GET /back-office/inscription-assistee/{id}/recapitulatif", can(domain.ActAssistRegistration, personResource), s.withTarget(s.assistedBasket, s.recapPage))
	h("POST /back-office/inscription-assistee/{id}/valider", can(domain.ActAssistRegistration, personResource), s.withTarget(s.assistedBasket, s.basketValidate), proofForm)
	h("GET /back-office/etablissements/{id}", can(domain.ActViewEstablishment, establishmentResource), s.establishmentPage)
	h("GET /back-office/formations/{id}", can(domain.ActViewFormation, formationResource), s.formationPage)
	h("GET /back-office/cours/{id}", can(domain.ActViewCourse, courseResource), s.staffCoursePage)
	h("GET /back-office/candidatures", can(domain.ActViewEstablishment, establishmentParam), s.boCandidaturesPage)
	h("GET /back-office/candidatures.csv", can(domain.ActViewEstablishment, establishmentParam), s.candidaturesCSV)
	h("GET /back-office/candidatures.xlsx", can(domain.ActViewEstablishment, establishmentParam), s.candidaturesXLSX)

	// The catalogue administration: sessions, establishments and formations (admin-sessions).
	manage := can(domain.ActManageCatalogue, nil)
	h("GET /back-office/catalogue", manage, s.catalogueHub)
	h("GET /back-office/catalogue/sessions/nouvelle", manage, s.newSessionPage)
	h("POST /back-office/catalogue/sessions/nouvelle", manage, s.createSession, textForm)
	h("GET /back-office/catalogue/sessions/{id}", manage, s.sessionPage)
	h("GET /back-office/catalogue/sessions/{id}/modifier", manage, s.editSessionPage)
	h("POST /back-office/catalogue/sessions/{id}/modifier", manage, s.updateSession, textForm)
	h("POST /back-office/catalogue/sessions/{id}/publier", manage, s.publishSession)
	h("POST /back-office/catalogue/sessions/{id}/delai-offres", manage, s.setOfferDays, textForm)
	h("POST /back-office/catalogue/sessions/{id}/ouverture", manage, s.setOpening, textForm)
	h("POST /back-office/catalogue/sessions/{id}/supprimer", manage, s.deleteSession, textForm)
	h("POST /back-office/catalogue/sessions/{id}/archiver", manage, s.archiveSession, textForm)
	h("GET /back-office/catalogue/sessions/{id}/preparer", manage, s.copySessionPage)
	h("POST /back-office/catalogue/sessions/{id}/preparer", manage, s.copySession, textForm)
	h("GET /back-office/catalogue/etablissements", manage, s.placesPage)
	h("GET /back-office/catalogue/etablissements/nouveau", manage, s.newPlacePage)
	h("POST /back-office/catalogue/etablissements/nouveau", manage, s.createPlace, textForm)
	h("GET /back-office/catalogue/etablissements/{id}", manage, s.placePage)
	h("POST /back-office/catalogue/etablissements/{id}", manage, s.updatePlace, textForm)
	h("POST /back-office/catalogue/etablissements/{id}/archiver", manage, s.removePlace, textForm)
	h("POST /back-office/catalogue/etablissements/{id}/salles", manage, s.addRoom, textForm)
	h("POST /back-office/catalogue/etablissements/{id}/salles/{salle}", manage, s.updateRoom, textForm)
	h("POST /back-office/catalogue/etablissements/{id}/salles/{salle}/archiver", manage, s.archiveRoom)
	h("GET /back-office/catalogue/formations", manage, s.formationsPage)
	h("GET /back-office/catalogue/formations/nouvelle", manage, s.newFormationPage)
	h("POST /back-office/catalogue/formations/nouvelle", manage, s.createFormation, textForm)
	h("GET /back-office/catalogue/formations/{id}", manage, s.adminFormationPage)
	h("POST /back-office/catalogue/formations/{id}", manage, s.updateFormation, textForm)
	h("POST /back-office/catalogue/formations/{id}/archiver", manage, s.removeFormation, textForm)

	// The catalogue administration: courses (admin-courses).
	h("GET /back-office/catalogue/sessions/{id}/cours/nouveau", can(domain.ActManageCatalogue, nil), s.newCoursePage)
	h("POST /back-office/catalogue/sessions/{id}/cours/nouveau", can(domain.ActManageCatalogue, nil), s.createCourse, textForm)
	h("GET /back-office/catalogue/cours/{id}", can(domain.ActStaffCourse, courseResource), s.courseAdminPage)
	h("GET /back-office/catalogue/cours/{id}/modifier", can(domain.ActManageCatalogue, courseResource), s.editCoursePage)
	h("POST /back-office/catalogue/cours/{id}/modifier", can(domain.ActManageCatalogue, courseResource), s.updateCourse, textForm)
	h("GET /back-office/catalogue/cours/{id}/archiver", can(domain.ActManageCatalogue, courseResource), s.archiveCoursePage)
	h("POST /back-office/catalogue/cours/{id}/archiver", can(domain.ActManageCatalogue, courseResource), s.archiveCourse, textForm)
	h("GET /back-office/catalogue/cours/{id}/equipe", can(domain.ActStaffCourse, courseResource), s.staffCourseForm)
	h("POST /back-office/catalogue/cours/{id}/equipe", can(domain.ActStaffCourse, courseResource), s.staffCourse, textForm)

	// The catalogue administration: catalogue import and export (import).
	h("GET /back-office/catalogue/sessions/{id}/import", can(domain.ActManageCatalogue, nil), s.catalogueImportPage)
	h("POST /back-office/catalogue/sessions/{id}/import", can(domain.ActManageCatalogue, nil), s.catalogueImportPost, importForm)
	h("GET /back-office/catalogue/sessions/{id}/export.xlsx", can(domain.ActManageCatalogue, nil), s.catalogueExportXLSX)
	h("GET /back-office/catalogue/sessions/{id}/export.csv", can(domain.ActManageCatalogue, nil), s.catalogueExportCSV)

	// The catalogue administration: school holidays and remote delivery (remote).
	h("GET "+holidaysPath, can(domain.ActManageCatalogue, nil), s.holidaysPage)
	h("POST "+holidaysPath, can(domain.ActManageCatalogue, nil), s.postHolidays, holidaysForm)
	h("GET "+remotePath, can(domain.ActManageCatalogue, nil), s.remotePage)
	h("POST "+remotePath, can(domain.ActManageCatalogue, nil), s.switchRemoteGroup, textForm)
	h("POST /back-office/cours/{id}/distanciel", can(domain.ActStaffCourse, courseResource), s.switchRemoteCourse, textForm)

	// The catalogue administration: API tokens (api).
	h("GET "+apiTokensPath, can(domain.ActManageAPITokens, nil), s.apiTokensPage)
	h("POST "+apiTokensPath, can(domain.ActManageAPITokens, nil), s.createAPIToken)
	h("POST "+apiTokensPath+"/{id}/revoquer", can(domain.ActManageAPITokens, nil), s.revokeAPIToken, textForm)
	// The staff API: a personal access token only, never the web session (api_staff.go).
	h("GET /api/v1/admin/token", apiCan(domain.ActBackOffice, nil), s.apiTokenInfo)
	h("GET /api/v1/admin/sessions", apiCan(domain.ActManageCatalogue, nil), s.apiAdminSessions)
	h("GET /api/v1/admin/sessions/{id}", apiCan(domain.ActManageCatalogue, nil), s.apiAdminSession)
	h("GET /api/v1/admin/sessions/{id}/courses", apiCan(domain.ActManageCatalogue, nil), s.apiAdminCourses)
	h("GET /api/v1/admin/establishments", apiCan(domain.ActManageCatalogue, nil), s.apiAdminEstablishments)
	h("GET /api/v1/admin/formations", apiCan(domain.ActManageCatalogue, nil), s.apiAdminFormations)
	h("POST /api/v1/admin/sessions", apiCan(domain.ActManageCatalogue, nil), s.apiCreateSession)
	h("PATCH /api/v1/admin/sessions/{id}", apiCan(domain.ActManageCatalogue, nil), s.apiUpdateSession)
	h("POST /api/v1/admin/sessions/{id}/publish", apiCan(domain.ActManageCatalogue, nil), s.apiPublishSession)
	h("POST /api/v1/admin/sessions/{id}/courses", apiCan(domain.ActManageCatalogue, nil), s.apiCreateCourse)
	h("POST /api/v1/admin/sessions/{id}/import", apiCan(domain.ActManageCatalogue, nil), s.apiImport, importForm)
	h("POST /api/v1/admin/establishments", apiCan(domain.ActManageCatalogue, nil), s.apiCreateEstablishment)
	h("PATCH /api/v1/admin/establishments/{id}", apiCan(domain.ActManageCatalogue, nil), s.apiUpdateEstablishment)
	h("POST /api/v1/admin/formations", apiCan(domain.ActManageCatalogue, nil), s.apiCreateFormation)
	h("PATCH /api/v1/admin/formations/{id}", apiCan(domain.ActManageCatalogue, nil), s.apiUpdateFormation)
	h("PATCH /api/v1/admin/courses/{id}", apiCan(domain.ActManageCatalogue, nil), s.apiUpdateCourse)
	h("POST /api/v1/admin/courses/{id}/archive", apiCan(domain.ActManageCatalogue, nil), s.apiArchiveCourse)
	h("POST /api/v1/admin/remote", apiCan(domain.ActManageCatalogue, nil), s.apiSwitchRemote)

	// The selection: sittings, convocations and results (tests).
	h("GET "+selectionPath+"/sessions/{id}/tests", can(domain.ActEvaluate, evaluatorScope), s.testsPage)
	h("POST "+selectionPath+"/sessions/{id}/tests/formations/{formation}/seances", can(domain.ActEvaluate, evaluatorScope), s.scheduleSitting, textForm)
	h("POST "+selectionPath+"/sessions/{id}/tests/formations/{formation}/convocations", can(domain.ActEvaluate, evaluatorScope), s.sendConvocations)
	h("GET "+selectionPath+"/sessions/{id}/tests/formations/{formation}/import", can(domain.ActEvaluate, evaluatorScope), s.resultsImportPage)
	h("POST "+selectionPath+"/sessions/{id}/tests/formations/{formation}/import", can(domain.ActEvaluate, evaluatorScope), s.importResults, resultsImportForm)
	h("GET "+selectionPath+"/seances/{id}", can(domain.ActEvaluate, evaluatorScope), s.sittingPage)
	h("POST "+selectionPath+"/seances/{id}/modifier", can(domain.ActEvaluate, evaluatorScope), s.changeSitting, textForm)
	h("POST "+selectionPath+"/seances/{id}/supprimer", can(domain.ActEvaluate, evaluatorScope), s.deleteSitting)
	h("GET "+selectionPath+"/seances/{id}/resultats", can(domain.ActEvaluate, evaluatorScope), s.resultsPage)
	h("POST "+selectionPath+"/seances/{id}/resultats", can(domain.ActEvaluate, evaluatorScope), s.enterResults, textForm)
	h("GET "+selectionPath+"/cours/{id}/resultats", can(domain.ActEvaluate, evaluatorScope), s.resultsPage)
	h("POST "+selectionPath+"/cours/{id}/resultats", can(domain.ActEvaluate, evaluatorScope), s.enterResults, textForm)
	h("GET /mes-candidatures/{id}/convocation", can(domain.ActApply, selfResource), s.convocationPage)
	h("GET /mes-candidatures/{id}/convocation.pdf", can(domain.ActApply, selfResource), s.convocationPDF)

	// The selection: runs, review and publishing (runs).
	runSel := can(domain.ActRunSelection, nil)
	h("GET /back-office/selection/sessions/{id}/traitement", runSel, s.selectionRunsPage)
	h("POST /back-office/selection/sessions/{id}/traitement", runSel, s.startSelectionRun, textForm)
	h("GET /back-office/selection/sessions/{id}/traitement/{run}", runSel, s.selectionReviewPage)
	h("GET /back-office/selection/sessions/{id}/traitement/{run}/publier", runSel, s.selectionPublishPage)
	h("POST /back-office/selection/sessions/{id}/traitement/{run}/publier", runSel, s.publishSelectionRun, textForm)

	// The selection: explanations, the fairness report and the minimum social rates (report).
	h("GET /back-office/selection/candidatures/{id}/explication", can(domain.ActBackOffice, nil), s.explanationPage)
	h("GET /back-office/selection/runs/{id}/rapport", can(domain.ActRunSelection, nil), s.reportPage)
	h("GET /back-office/selection/runs/{id}/rapport.csv", can(domain.ActRunSelection, nil), s.reportCSV)
	h("GET /back-office/selection/runs/{id}/rapport.xlsx", can(domain.ActRunSelection, nil), s.reportXLSX)

	// The selection: directors' lists and first-day results posting (lists).
	h("GET /back-office/cours/{id}/listes", can(domain.ActViewCourse, courseResource), s.courseListsPage)
	h("POST /back-office/cours/{id}/listes/rang", can(domain.ActManageWaitingList, courseResource), s.reorderWaiting, textForm)
	h("POST /back-office/cours/{id}/listes/fermer", can(domain.ActManageCatalogue, nil), s.closeCourse, textForm)
	h("POST /back-office/cours/{id}/listes/desistement", can(domain.ActManageWaitingList, courseResource), s.withdraw, textForm)
	// Day changes (SEL-8): recorded at the desk, forwarded by the director,
	// decided by the coordinator.
	h("POST /back-office/cours/{id}/changement-de-jour", can(domain.ActForwardDayChange, courseResource), s.recordDayChange, textForm)
	h("GET /back-office/changements-de-jour", can(domain.ActDayChanges, nil), s.dayChangeQueuePage)
	h("POST /back-office/changements-de-jour/{id}/transmettre", can(domain.ActForwardDayChange, dayChangeResource),
		s.dayChangeStep(false), textForm)
	h("POST /back-office/changements-de-jour/{id}/decider", can(domain.ActDecideDayChange, dayChangeResource),
		s.dayChangeStep(true), textForm)
	// Enrolments of a course (PAY-1, PAY-2, CAN-9): confirmed by the
	// director, half-tariff proofs checked, cheques and cash at the desk,
	// lost cards reprinted (PAY-6).
	h("GET "+unpaidPath, can(domain.ActBackOffice, nil), s.unpaidPage)         // the service checks whose fees (PAY-1)
	h("GET "+refundsDuePath, can(domain.ActBackOffice, nil), s.refundsDuePage) // the service checks whose refunds (REF-2, SEL-6)
	// Attendance registers (ATT-1, ATT-2, ROLE-2): the trainer's own
	// courses, the director's establishment, the central service.
	h("GET /back-office/cours/{id}/appel", can(domain.ActKeepRegister, courseResource), s.registersPage)
	h("GET /back-office/cours/{id}/appel/{day}", can(domain.ActKeepRegister, courseResource), s.registerPage)
	h("POST /back-office/cours/{id}/appel/{day}", can(domain.ActKeepRegister, courseResource), s.saveRegister, textForm)
	// Strike-offs and exclusions (ATT-3, ATT-4, strike.go): the central
	// service's queue; the trainer, the director or the central service
	// excludes from a course's registers page.
	h("GET "+strikeOffPath, can(domain.ActStrikeOff, nil), s.strikeOffPage)
	h("POST "+strikeOffPath+"/radier", can(domain.ActStrikeOff, nil), s.decideFlag(true), textForm)
	h("POST "+strikeOffPath+"/maintenir", can(domain.ActStrikeOff, nil), s.decideFlag(false), textForm)
	h("POST /back-office/cours/{id}/exclusion", can(domain.ActExclude, courseResource), s.exclude, textForm)
	h("GET "+journeyPath, can(domain.ActApply, selfResource), s.journeyPage)
	// End-of-course evaluations and certificates (CER-1, CER-2): the date
	// fixed by the central service, results by the coordinator or the
	// director (ROLE-3, ROLE-4), certificates issued in bulk by central.
	h("GET /back-office/cours/{id}/evaluation", can(domain.ActEvaluate, courseResource), s.evaluationPage)
	h("POST /back-office/cours/{id}/evaluation/date", can(domain.ActManageCatalogue, courseResource), s.setEvaluationDate, textForm)
	h("POST /back-office/cours/{id}/evaluation/resultats", can(domain.ActEvaluate, courseResource), s.saveResults, textForm)
	h("POST /back-office/cours/{id}/evaluation/dispense", can(domain.ActEvaluate, courseResource), s.recordExemption, exemptionForm) // CER-4
	h("GET "+certificatesPath, can(domain.ActIssueCertificates, nil), s.certificatesPage)
	h("GET "+certificatesPath+"/{id}/certificat.pdf", can(domain.ActIssueCertificates, nil), s.staffCertificatePDF)
	h("GET "+evaluation.CertificatePath+"{file}", can(domain.ActApply, selfResource), s.journeyCertificate)
	h("GET "+evaluation.CertificateVerifyPath+"{token}", public, s.certificateCheckPage)
	h("POST "+certificatesPath+"/delivrer", can(domain.ActIssueCertificates, nil), s.issueCertificates, textForm)
	// The attestation d'assiduité (ATT-2): the learner's own (ROLE-1), the
	// director's and the central service's for their courses (ROLE-3,
	// ROLE-5), verified by anyone holding its QR code.
	h("POST "+journeyPath+"/cours/{id}/attestation", can(domain.ActApply, selfResource), s.askAttendanceAttestation)
	h("GET "+journeyAttestationPath+"{file}", can(domain.ActApply, selfResource), s.journeyAttestation)
	h("GET /back-office/cours/{id}/assiduite/{cand}/attestation.pdf", can(domain.ActAttendanceDocuments, courseResource),
		s.staffAttendanceAttestationPDF)
	h("GET "+attendance.AttestationVerifyPath+"{token}", public, s.attendanceAttestationCheckPage)
	h("GET /back-office/cours/{id}/inscriptions", can(domain.ActConfirmEnrolment, courseResource), s.rosterPage)
	h("POST /back-office/cours/{id}/inscriptions/confirmer", can(domain.ActConfirmEnrolment, courseResource), s.confirmEnrolments, textForm)
	h("POST /back-office/cours/{id}/inscriptions/{cand}/demi-tarif", can(domain.ActConfirmEnrolment, courseResource), s.checkHalfTariff, textForm)
	h("GET /back-office/cours/{id}/inscriptions/{cand}/justificatif", can(domain.ActConfirmEnrolment, courseResource), s.halfTariffProof)
	h("POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/guichet", can(domain.ActRecordDeskPayment, courseResource), s.deskPayment, textForm)
	h("POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/carte", can(domain.ActManagePayments, courseResource), s.reprintCard, textForm)
	h("POST /back-office/cours/{id}/inscriptions/delai", can(domain.ActManagePayments, courseResource), s.extendCourseWindow, textForm)
	h("POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/delai", can(domain.ActManagePayments, courseResource), s.extendWindow, textForm)
	h("POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/liberer", can(domain.ActManagePayments, courseResource), s.freeUnpaid, textForm)
	// The régie's ledger (PAY-1, PAY-2; issue 16 item 8, ledger.go): the
	// journal and the days' totals, read by the establishment's director,
	// the régisseur and the central service; closed by the director only;
	// exported for the treasury. The entry redirects a director to her own.
	h("GET "+ledgerPath, can(domain.ActBackOffice, nil), s.ledgerChooser)
	h("GET "+ledgerPath+"/journal.csv", can(domain.ActReadLedger, nil), s.ledgerCSV)
	h("GET "+ledgerPath+"/journal.xlsx", can(domain.ActReadLedger, nil), s.ledgerXLSX)
	h("GET "+ledgerPath+"/{id}", can(domain.ActReadLedger, establishmentResource), s.ledgerPage)
	h("POST "+ledgerPath+"/{id}/cloture", can(domain.ActCloseLedgerDay, establishmentResource), s.closeLedgerDay)
	h("GET "+ledgerPath+"/{id}/journal.csv", can(domain.ActReadLedger, establishmentResource), s.ledgerCSV)
	h("GET "+ledgerPath+"/{id}/journal.xlsx", can(domain.ActReadLedger, establishmentResource), s.ledgerXLSX)
	h("GET "+ledgerPath+"/{id}/bordereau.pdf", can(domain.ActReadLedger, establishmentResource), s.remittancePDF)
	h("GET /back-office/cours/{id}/resultats-affiches", can(domain.ActViewCourse, courseResource), s.resultsPostingPage)
	h("GET /back-office/cours/{id}/resultats-affiches.pdf", can(domain.ActViewCourse, courseResource), s.resultsPostingPDF)

	// JSON API.
	h("GET /api/v1/openapi.yaml", public, s.openAPI)
	h("GET /api/v1/sessions", public, s.apiSessions)
	h("GET /api/v1/formations", public, s.apiFormations)
	h("GET /api/v1/courses", public, s.apiCourses)
	h("GET /api/v1/courses/{id}", public, s.apiCourse)
	h("GET /api/v1/me", signedIn, s.apiMe)
	h("/api/", public, s.apiNotFound)

	// Operations.
	h("GET /healthz", public, s.healthz)
	h("GET /readyz", public, s.readyz)
	if s.DevIDP != nil {
		// The development identity provider: demo mode and tests only.
		h("/dev-idp/", public, s.DevIDP.ServeHTTP)
	}
	if s.PayFiPSimulator != nil {
		// The PayFiP simulator: demo mode only.
		h("/dev/payfip/", public, s.PayFiPSimulator.ServeHTTP)
	}
	if s.MailSink != nil {
		// The development mail sink: demo mode only.
		h("/dev/courriels", public, s.MailSink.ServeHTTP)
		h("/dev/courriels/", public, s.MailSink.ServeHTTP)
	}
	h("/", public, s.notFound)

	var handler http.Handler = mux
	handler = s.loadUser(handler)
	handler = s.sessions.LoadAndSave(handler)
	handler = websession.WithAccountSlot(handler)
	handler = s.resolveClient(handler)
	handler = s.recoverPanics(handler)
	handler = newCompression().handler(handler)
	handler = s.securityHeaders(handler)
	cop := http.NewCrossOriginProtection()
	// The provider's server posts logout tokens there: no browser form, a
	// signed token instead of a CSRF check (providerlogout.go).
	cop.AddInsecureBypassPattern("POST " + providerLogoutPath)
	// PayFiP's server notifies, and its payment page posts the browser back
	// from its own site: an idOp only, which settling checks with PayFiP.
	cop.AddInsecureBypassPattern("POST " + payment.NotificationPath)
	cop.AddInsecureBypassPattern("POST " + payment.ReturnPath)
	handler = cop.Handler(handler)
	return handler
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
