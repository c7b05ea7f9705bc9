package guardrails

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFileMarshal(t *testing.T) {
	tests := []struct {
		name    string
		cfg     ConfigFile
		want    string
		wantErr []string
	}{
		{name: "mandatory everywhere", cfg: MandatoryConfig(), want: `{
  "all": "mandatory"
}`},
		{name: "empty", cfg: ConfigFile{}, want: `{}`},
		{name: "levels and settings", cfg: ConfigFile{
			Enforcement: map[string]string{"topic-retention": "disabled", "image-pinned": "mandatory"},
			Settings:    map[string]map[string]any{"topic-partitions": {"maxPartitions": 500}},
		}, want: `{
  "image-pinned": {
    "enforcementLevel": "mandatory"
  },
  "topic-partitions": {
    "maxPartitions": 500
  },
  "topic-retention": {
    "enforcementLevel": "disabled"
  }
}`},
		{name: "mandatory everywhere with settings", cfg: ConfigFile{
			MandatoryEverywhere: true,
			Settings:            map[string]map[string]any{"broker-storage": {"minStorageGiB": 100}},
		}, want: `{
  "all": "mandatory",
  "broker-storage": {
    "minStorageGiB": 100
  }
}`},
		{name: "mistakes", cfg: ConfigFile{
			MandatoryEverywhere: true,
			Enforcement:         map[string]string{"topic-retention": "advisory", "no-such-policy": "mandatory", "image-pinned": "warn"},
			Settings:            map[string]map[string]any{"topic-partitions": {"maxPartition": 5}, "typo": {}},
		}, wantErr: []string{
			`unknown policy "no-such-policy"`,
			`enforcement of image-pinned: "warn" is not one of [advisory mandatory disabled]`,
			`enforcement of topic-retention: "advisory" contradicts MandatoryEverywhere`,
			`settings of topic-partitions: unknown setting "maxPartition"`,
			`settings: unknown policy "typo"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.Marshal()
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, got %s", got)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestConfigFileWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy-config.json")
	if err := MandatoryConfig().Write(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "{\n  \"all\": \"mandatory\"\n}\n" {
		t.Errorf("file %q", b)
	}
	if err := (ConfigFile{Enforcement: map[string]string{"nope": "mandatory"}}).Write(path); err == nil {
		t.Error("an invalid config was written")
	}
}
