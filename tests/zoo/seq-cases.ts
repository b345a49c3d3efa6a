// The zoo's sequence cases (zoo/trained/train_seq.py), shared by the trained-case tests.

/** The committed sequence cases: six recurrent nets and three one-layer transformers. */
export const SEQ_EXPECTED = ["add_gru", "count3_lstm", "count_attn", "firsttok_attn", "paren_gru", "parity_rnn", "pattern_lstm", "prevtok_attn", "runmax_rnn"];
