package frame

import (
	"strconv"

	"github.com/h2kit/h2kit/reject"
)

// SettingID identifies a SETTINGS parameter (RFC 9113 §6.5.2).
type SettingID uint16

// The SETTINGS parameters of RFC 9113 §6.5.2 and RFC 8441 §3.
const (
	SettingHeaderTableSize       SettingID = 0x1
	SettingEnablePush            SettingID = 0x2
	SettingMaxConcurrentStreams  SettingID = 0x3
	SettingInitialWindowSize     SettingID = 0x4
	SettingMaxFrameSize          SettingID = 0x5
	SettingMaxHeaderListSize     SettingID = 0x6
	SettingEnableConnectProtocol SettingID = 0x8
	SettingNoRFC7540Priorities   SettingID = 0x9
)

var settingNames = [...]string{
	SettingHeaderTableSize:       "HEADER_TABLE_SIZE",
	SettingEnablePush:            "ENABLE_PUSH",
	SettingMaxConcurrentStreams:  "MAX_CONCURRENT_STREAMS",
	SettingInitialWindowSize:     "INITIAL_WINDOW_SIZE",
	SettingMaxFrameSize:          "MAX_FRAME_SIZE",
	SettingMaxHeaderListSize:     "MAX_HEADER_LIST_SIZE",
	SettingEnableConnectProtocol: "ENABLE_CONNECT_PROTOCOL",
	SettingNoRFC7540Priorities:   "NO_RFC7540_PRIORITIES",
}

// String returns the RFC name of the setting ("MAX_FRAME_SIZE"), or
// "UNKNOWN_SETTING_0x..".
func (s SettingID) String() string {
	if int(s) < len(settingNames) && settingNames[s] != "" {
		return settingNames[s]
	}
	return "UNKNOWN_SETTING_0x" + strconv.FormatUint(uint64(s), 16)
}

// Setting is one SETTINGS parameter.
type Setting struct {
	ID  SettingID
	Val uint32
}

// Valid checks the value ranges of RFC 9113 §6.5.2 and returns a connection
// error for a value out of range. Unknown settings are always valid: "An
// endpoint that receives a SETTINGS frame with any unknown or unsupported
// identifier MUST ignore that setting."
func (s Setting) Valid() error {
	switch s.ID {
	case SettingEnablePush:
		// "Any value other than 0 or 1 MUST be treated as a connection error
		// (Section 5.4.1) of type PROTOCOL_ERROR."
		if s.Val > 1 {
			return connErr(ErrCodeProtocol, reject.InvalidEnablePush)
		}
	case SettingInitialWindowSize:
		// "Values above the maximum flow-control window size of 2^31-1 MUST
		// be treated as a connection error (Section 5.4.1) of type
		// FLOW_CONTROL_ERROR."
		if s.Val > MaxWindow {
			return connErr(ErrCodeFlowControl, reject.InvalidInitialWindowSize)
		}
	case SettingMaxFrameSize:
		// "The initial value is 2^14 (16,384) octets. The value advertised by
		// an endpoint MUST be between this initial value and the maximum
		// allowed frame size (2^24-1 or 16,777,215 octets), inclusive. Values
		// outside this range MUST be treated as a connection error
		// (Section 5.4.1) of type PROTOCOL_ERROR."
		if s.Val < DefaultMaxFrameSize || s.Val > MaxFrameSizeLimit {
			return connErr(ErrCodeProtocol, reject.InvalidMaxFrameSize)
		}
	case SettingEnableConnectProtocol, SettingNoRFC7540Priorities:
		if s.Val > 1 {
			return connErr(ErrCodeProtocol, reject.InvalidBooleanSetting)
		}
	}
	return nil
}
