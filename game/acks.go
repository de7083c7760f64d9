package game

import "encoding/json"

// What the sender of a command gets back in its acknowledgement (its
// Change's Result), for the commands that answer something. The handlers
// fill Change.Result with these keys (TestResultTypesMatchHandlers checks
// every one against a whole game); clients decode an ack's result into
// them with DecodeResult.

// PlayerJoinResult answers player.join: the new player's id and seat. A
// player the facilitator let back in gets the seat they had.
type PlayerJoinResult struct {
	PlayerID string `json:"playerId"`
	Team     string `json:"team"`
	Company  int    `json:"company"`
}

// NoteAddResult answers note.add.
type NoteAddResult struct {
	NoteID string `json:"noteId"`
}

// ClusterCreateResult answers cluster.create.
type ClusterCreateResult struct {
	ClusterID string `json:"clusterId"`
}

// NotesGroupResult answers notes.group: the new cluster, when the notes
// went into one it named, and how many notes it moved.
type NotesGroupResult struct {
	ClusterID string `json:"clusterId,omitempty"`
	Moved     int    `json:"moved"`
}

// CardAddResult answers card.add.
type CardAddResult struct {
	CardID string `json:"cardId"`
}

// CardEditResult answers card.edit: the card's revision after the edit,
// the one the next edit names.
type CardEditResult struct {
	Rev int `json:"rev"`
}

// QuizAnswerResult answers quiz.answer.
type QuizAnswerResult struct {
	Correct bool `json:"correct"`
}

// QuestionAskResult answers question.ask.
type QuestionAskResult struct {
	QuestionID string `json:"questionId"`
}

// DecodeResult decodes an acknowledgement's result (a Change's Result, or
// the result a client received) into one of the result types above.
func DecodeResult(result map[string]any, v any) error {
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
