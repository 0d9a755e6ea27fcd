// Package outbox is the one way the platform tells people something by email
// (CON-2): a capability keeps the message in the person's space and queues its
// sending inside its own business transaction, so that the email exists exactly
// when what it tells about does. The Worker sends queued messages later, through
// the job queue, and retries what fails. No capability imports another to send
// mail: they all call the Outbox.
package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"cma/internal/domain"
)

// SendEmailArgs is the job that sends a group of kept messages: those queued by
// one transaction, up to GroupSize. One job per group rather than per message,
// because River's bookkeeping of a job (fetch, run, complete) cost about as
// much as the SMTP exchange of one email (bench/mail).
type SendEmailArgs struct {
	MessageIDs []int64 `json:"message_ids,omitempty"`
	// MessageID is the one message of a job queued before groups: such jobs
	// may still wait in a queue, and are worked as a group of one.
	MessageID int64 `json:"message_id,omitempty"`
}

// GroupSize is the most messages one job sends: the validation batcher's
// largest batch, so that a batch's confirmations are one job.
const GroupSize = 64

// ids is the job's messages, whichever way it was queued.
func (a SendEmailArgs) ids() []int64 {
	if a.MessageID != 0 {
		return append([]int64{a.MessageID}, a.MessageIDs...)
	}
	return a.MessageIDs
}

// Kind names the job for River. Jobs already queued carry it: keep it.
func (SendEmailArgs) Kind() string { return "send_email" }

// InsertOpts retries a group for about a day and a half of River's backoff. A
// message is queued once without a uniqueness key: its job is inserted in the
// transaction that creates the message, which commits once or not at all.
func (SendEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25}
}

// Enqueuer queues jobs inside a business transaction (River's InsertManyTx): the
// jobs exist if and only if the transaction commits.
type Enqueuer interface {
	InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Keeper writes a message into the person's space (the store's InsertMessage),
// or many without their bodies (InsertUnrenderedMessagesTx: rendered when
// first sent or shown, by the renderer the wiring gave the store for their
// kind).
type Keeper interface {
	InsertMessage(ctx context.Context, tx *sql.Tx, m *domain.Message) error
	InsertUnrenderedMessagesTx(ctx context.Context, tx *sql.Tx, kind string, ref int64, accounts []int64,
		messageIDs []string, now time.Time) ([]int64, error)
}

// Outbox keeps messages and queues their sending in the caller's transaction.
type Outbox struct {
	keep   Keeper
	jobs   Enqueuer
	domain string // of the sender's address, for Message-IDs: "cours-adultes.paris.fr"
}

// New returns the outbox; mailDomain is the domain of the platform's one sender.
func New(keep Keeper, jobs Enqueuer, mailDomain string) *Outbox {
	return &Outbox{keep: keep, jobs: jobs, domain: mailDomain}
}

// NewMessageID returns a fresh Message-ID, "<random@domain>". A message carries
// it from the moment it is kept, so that a retried send is the same email.
func (o *Outbox) NewMessageID() (string, error) {
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("message id: %w", err)
	}
	return "<" + hex.EncodeToString(id) + "@" + o.domain + ">", nil
}

// Keep writes each message into its person's space and queues its sending, in
// tx. A message without a Message-ID gets one; IDs are set.
func (o *Outbox) Keep(ctx context.Context, tx *sql.Tx, msgs ...*domain.Message) error {
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		if m.MessageID == "" {
			id, err := o.NewMessageID()
			if err != nil {
				return err
			}
			m.MessageID = id
		}
		if err := o.keep.InsertMessage(ctx, tx, m); err != nil {
			return err
		}
		ids[i] = m.ID
	}
	return o.Queue(ctx, tx, ids...)
}

// KeepUnrendered keeps in tx one message of kind for each of accounts,
// without its body, and queues their sending: for a capability that tells
// many people at once (a selection's publication), whose emails are rendered
// from ref when first sent or shown in the person's space (store.MessageRenderer),
// then kept as any other. It returns how many it kept.
func (o *Outbox) KeepUnrendered(ctx context.Context, tx *sql.Tx, kind string, ref int64, accounts []int64, now time.Time) (int, error) {
	if len(accounts) == 0 {
		return 0, nil
	}
	// Message-IDs as NewMessageID makes them, from one read of randomness.
	random := make([]byte, 12*len(accounts))
	if _, err := rand.Read(random); err != nil {
		return 0, fmt.Errorf("message ids: %w", err)
	}
	mids := make([]string, len(accounts))
	for i := range mids {
		mids[i] = "<" + hex.EncodeToString(random[12*i:12*i+12]) + "@" + o.domain + ">"
	}
	// In ascending order, as the accounts usually are: the rows then go into
	// the unique index of Message-IDs one beside the other instead of all
	// over it (which account gets which random ID does not matter).
	slices.Sort(mids)
	ids, err := o.keep.InsertUnrenderedMessagesTx(ctx, tx, kind, ref, accounts, mids, now)
	if err != nil {
		return 0, err
	}
	return len(ids), o.Queue(ctx, tx, ids...)
}

// Queue queues the sending of messages already kept in tx, for callers that
// write many messages in one set-based statement (the validations of a batch):
// one job per GroupSize messages.
func (o *Outbox) Queue(ctx context.Context, tx *sql.Tx, messageIDs ...int64) error {
	if len(messageIDs) == 0 {
		return nil
	}
	var jobs []river.InsertManyParams
	for group := range slices.Chunk(messageIDs, GroupSize) {
		jobs = append(jobs, river.InsertManyParams{Args: SendEmailArgs{MessageIDs: slices.Clone(group)}})
	}
	if _, err := o.jobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("queue %d emails: %w", len(messageIDs), err)
	}
	return nil
}
